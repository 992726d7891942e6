-- After the rows are in register_entries: each file's first row and rows, and the rows a
-- newer row of the same number replaces. Only numbers with more than one row are ranked
-- (grouped by the number's hash first: one small aggregate over the 5M rows, no sort).
update register_files as f
set first_row = c.first_row, rows = c.rows
from (
    select apply_order, min(row_number) as first_row, count(*) as rows
    from register_entries group by all
) as c
where c.apply_order = f.apply_order;
update register_files set first_row = 1, rows = 0 where rows is null;
insert into register_superseded
select row_number, corporate_number
from (
    select
        row_number,
        corporate_number,
        row_number() over (
            partition by corporate_number
            order by apply_order desc, coalesce(try_cast(sequence_number as bigint), 0) desc, row_number desc
        ) as rank
    from register_entries
    where hash(corporate_number) in (
        select hash(corporate_number) as h from register_entries group by h having count(*) > 1
    )
)
where rank > 1;
