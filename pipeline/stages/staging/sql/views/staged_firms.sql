-- The staged firms. firm_id is the firm's identity in every later table: its 法人番号, or for a
-- firm without one (a 個人) 'vendor:' and its vendor code, which sorts after every number.
-- firm_key is the integer the transactions name it by: the 法人番号 (13 digits, never a leading
-- 0), or for a 個人 minus its row in the firms file, so the two never meet.
create or replace view staged_firms as
select
    fiscal_year, corporate_number, name, prefecture_code, jsic_division, sales_jpy, employees,
    capital_jpy, coalesce(export_sales_jpy, 0) as export_sales_jpy, source_file, row_number,
    jsic_major, operating_profit_jpy_y0, operating_profit_jpy_y1, operating_profit_jpy_y2,
    employees_y0, employees_y1, employees_y2, vendor_code, legal_form,
    firm_id(corporate_number, vendor_code) as firm_id,
    coalesce(cast(corporate_number as bigint), -row_number) as firm_key,
    -- prefecture_code is the one every later stage uses; these say where it came from.
    coalesce(vendor_prefecture_code, prefecture_code) as vendor_prefecture_code,
    coalesce(prefecture_source, 'vendor') as prefecture_source
from checked_firms
where reason is null;
