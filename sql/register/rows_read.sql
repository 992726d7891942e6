-- Per file (its place in the apply order): the rows read, applied or rejected (a rejected line
-- counts once, however many faults it has). Fewer than the file's lines: blank lines, which
-- DuckDB skips.
select apply_order, sum(rows)::bigint
from (
    select apply_order, count(*) as rows from register_entries group by all
    union all
    select s.file_id, count(distinct e.line)
    from register_reject_errors as e
    join register_reject_scans as s using (scan_id, file_id)
    group by all
)
group by all
