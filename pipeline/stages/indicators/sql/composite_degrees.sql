-- The degrees the composite score ranks: the year's, as firm_degrees has them.
create or replace temp view composite_degrees as
select prefecture_code, firm_id, connector_degree, hub_degree
from firm_degrees
where fiscal_year = $fiscal_year
