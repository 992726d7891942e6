-- A prefecture's candidate list in a live release (national_candidates.parquet), for the tick
-- list of the portal's plan form.
select corporate_number, name, jsic_division, sales_jpy, employees, connector_degree, hub_degree
from read_parquet($candidates)
where prefecture_code = $prefecture_code
order by corporate_number
