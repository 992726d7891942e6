-- Every staged firm with its degrees and the rule's outcome (contract §5).
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
    meets_connector,
    meets_hub,
    is_candidate
from candidate_selection
where fiscal_year = $fiscal_year
order by
    prefecture_code,
    greatest(connector_degree, hub_degree) desc nulls last,
    corporate_number
