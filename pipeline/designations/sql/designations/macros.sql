-- A 一覧 version's rows (its ichiran.parquet at `path`) with every row's firm_id: the 法人番号,
-- or for a 個人 (no 法人番号) 'vendor:' and its vendor code. A version made before the 一覧 carried
-- vendor_code and legal_form reads with both columns null (every firm in it had a 法人番号).
create or replace macro ichiran_version(path) as table
select *, firm_id(corporate_number, vendor_code) as firm_id
from (
    select * from read_parquet(path)
    union all by name
    select cast(null as varchar) as vendor_code, cast(null as varchar) as legal_form where false
);
