-- What the register's tables mean, as views (nothing stored twice):
-- register_rows: every applied row, with its file (name, kind, date), its line in the file,
-- the NTA's sequence number, number, 処理区分, latest flag and whether the number is valid
-- (the audit trail and the register's suite).
create or replace view register_rows as
select
    f.source_file, f.file_kind, f.file_date, e.apply_order::integer as apply_order,
    e.row_number - f.first_row + 1 as line, e.sequence_number, e.corporate_number, e.process,
    e.latest,
    -- is_corporate_number (pipeline/warehouse/sql/macros.sql) written out: a view cannot use a connection's macro
    -- (a test keeps the two equal). 13 digits, the first 9 - (Σ base digit × weight mod 9).
    coalesce(regexp_full_match(e.corporate_number, '[0-9]{13}'), false)
    and ascii(e.corporate_number[1]) - 48 = 9 - (
        (ascii(e.corporate_number[2]) - 48) * 2 + (ascii(e.corporate_number[3]) - 48)
        + (ascii(e.corporate_number[4]) - 48) * 2 + (ascii(e.corporate_number[5]) - 48)
        + (ascii(e.corporate_number[6]) - 48) * 2 + (ascii(e.corporate_number[7]) - 48)
        + (ascii(e.corporate_number[8]) - 48) * 2 + (ascii(e.corporate_number[9]) - 48)
        + (ascii(e.corporate_number[10]) - 48) * 2 + (ascii(e.corporate_number[11]) - 48)
        + (ascii(e.corporate_number[12]) - 48) * 2 + (ascii(e.corporate_number[13]) - 48)
    ) % 9 as number_valid
from register_entries as e
join register_files as f on f.apply_order = e.apply_order;

-- The newest row per number (by file order, then sequence number, then line).
create or replace view register_newest_rows as
select e.*, f.source_file, f.file_date
from register_entries as e
join register_files as f on f.apply_order = e.apply_order
where not exists (select 1 from register_superseded as s where s.row_number = e.row_number);

-- The register as it stands after the differences: one row per number, the newest, unless
-- that is 99 削除; applied_rows counts the number's rows in all files.
create or replace view corporate_register as
select
    n.corporate_number, n.name, n.kind, n.prefecture_code, n.prefecture_name, n.city_name,
    n.close_date, n.close_cause, n.successor_corporate_number, n.process, n.update_date,
    n.source_file, n.sequence_number, n.latest,
    (1 + coalesce(s.superseded, 0))::integer as applied_rows
from register_newest_rows as n
left join (
    select corporate_number, count(*) as superseded from register_superseded group by all
) as s on s.corporate_number = n.corporate_number
where n.process is distinct from '99';

-- Numbers whose newest row is 99 削除: gone from the register, named in the reconciliation.
create or replace view register_deletions as
select corporate_number, source_file, file_date from register_newest_rows where process = '99';
