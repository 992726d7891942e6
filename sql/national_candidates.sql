-- The published candidate list (contract §5): candidates only, columns in contract order.
select
    fiscal_year,
    prefecture_code,
    prefecture_name,
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
    meets_connector,
    meets_hub
from candidate_selection
where fiscal_year = $fiscal_year and is_candidate
order by
    prefecture_code,
    greatest(connector_degree, hub_degree) desc nulls last,
    corporate_number
