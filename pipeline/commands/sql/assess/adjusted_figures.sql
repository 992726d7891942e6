-- The assessed firm's figures over the adjusted network, with its prefecture's denominators.
select
    out_of_prefecture_sales_jpy,
    in_prefecture_purchases_jpy,
    connector_degree,
    hub_degree,
    connector_rank,
    hub_rank,
    prefecture_out_of_prefecture_sales_jpy,
    prefecture_in_prefecture_purchases_jpy,
    prefecture_firms
from assess_degrees
where firm_id = $firm_id
