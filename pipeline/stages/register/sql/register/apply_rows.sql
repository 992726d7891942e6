-- The loaded rows replace the register: every row's place kept (register_rows), then the
-- newest row per number (by file order, then the NTA's sequence number within the file) is the
-- register's state, unless it is 99 削除, which removes the number (register_deletions).
-- One hash aggregate (arg_max) rather than a window: no sort of 5M rows.
delete from register_rows;
insert into register_rows
select source_file, file_kind, file_date, apply_order, sequence_number, corporate_number, process, latest, number_valid
from register_load;
delete from corporate_register;
delete from register_deletions;
create or replace temp table register_newest as
select
    corporate_number,
    arg_max(
        struct_pack(
            name, furigana, kind, prefecture_code, prefecture_name, city_name, street_number, post_code,
            close_date, close_cause, successor_corporate_number, process, update_date, change_date,
            assignment_date, source_file, file_date, sequence_number, latest
        ),
        apply_order::bigint * 100000000000 + coalesce(try_cast(sequence_number as bigint), 0)
    ) as n,
    count(*)::integer as applied_rows
from register_load
group by corporate_number;
insert into corporate_register by name
select
    corporate_number, n.name, n.furigana, n.kind, n.prefecture_code, n.prefecture_name, n.city_name,
    n.street_number, n.post_code, try_cast(n.close_date as date) as close_date,
    nullif(n.close_cause, '') as close_cause,
    nullif(n.successor_corporate_number, '') as successor_corporate_number,
    n.process, try_cast(n.update_date as date) as update_date, try_cast(n.change_date as date) as change_date,
    try_cast(n.assignment_date as date) as assignment_date, n.source_file, n.sequence_number, n.latest,
    applied_rows
from register_newest
where n.process is distinct from '99';
insert into register_deletions
select corporate_number, n.source_file, n.file_date from register_newest where n.process = '99';
drop table register_newest;
