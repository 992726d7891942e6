-- Connector and hub degree of every staged firm, and its rank in its prefecture (contract §3,
-- firm_degrees_of in contract_degrees.sql). A prefecture whose denominator is 0 gives null
-- degrees and null ranks.
with flows as (
    select * from firm_flows where fiscal_year = $fiscal_year
)

select
    fiscal_year,
    prefecture_code,
    corporate_number,
    name,
    jsic_division,
    sales_jpy,
    employees,
    out_of_prefecture_sales_jpy,
    in_prefecture_purchases_jpy,
    connector_degree,
    hub_degree,
    connector_rank,
    hub_rank,
    firm_id,
    vendor_code,
    legal_form
from firm_degrees_of(flows)
