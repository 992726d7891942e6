-- Per file read (its path): the lines DuckDB rejected (once each, however many faults). With
-- the rows applied, fewer than the file's lines means blank lines, which DuckDB skips.
select s.file_path, count(distinct e.line)
from register_reject_errors as e
join register_reject_scans as s using (scan_id, file_id)
group by all
