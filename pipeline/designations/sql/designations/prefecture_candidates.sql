-- A prefecture's candidate list in a live release (national_candidates.parquet), for the tick
-- list of the portal's plan form. firm_id is what a tick names: the 法人番号, or for a 個人 (no
-- 法人番号) 'vendor:' and its vendor code; it sorts the 個人 after the numbers.
select
    corporate_number, name, jsic_division, sales_jpy, employees, connector_degree, hub_degree, vendor_code,
    legal_form, firm_id(corporate_number, vendor_code) as firm_id
from read_parquet($candidates)
where prefecture_code = $prefecture_code
order by firm_id
