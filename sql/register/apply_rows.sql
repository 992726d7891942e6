-- The loaded rows replace the register: every row kept, then the newest row per number (by
-- file order, then the NTA's sequence number within the file) is the register's state, unless
-- it is 99 削除, which removes the number.
delete from register_rows;
insert into register_rows by name select * from register_load;
delete from corporate_register;
delete from register_deletions;
create or replace temp table register_newest as
select *
from register_load
qualify row_number() over (
    partition by corporate_number
    order by apply_order desc, try_cast(sequence_number as bigint) desc nulls last
) = 1;
insert into corporate_register by name
select
    n.corporate_number, n.name, n.furigana, n.kind, n.prefecture_code, n.prefecture_name, n.city_name,
    n.street_number, n.post_code, try_cast(n.close_date as date) as close_date,
    nullif(n.close_cause, '') as close_cause, nullif(n.successor_corporate_number, '') as successor_corporate_number,
    n.process, try_cast(n.update_date as date) as update_date, try_cast(n.change_date as date) as change_date,
    try_cast(n.assignment_date as date) as assignment_date, n.source_file, n.sequence_number,
    c.applied_rows
from register_newest as n
join (select corporate_number, count(*)::integer as applied_rows from register_load group by all) as c
    using (corporate_number)
where n.process <> '99';
insert into register_deletions by name
select corporate_number, source_file, file_date from register_newest where process = '99';
drop table register_newest;
