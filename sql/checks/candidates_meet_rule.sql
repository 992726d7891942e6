-- Blocking: every candidate satisfies the rule in force, and every firm that satisfies it is one.
select prefecture_code, corporate_number, sales_jpy, employees, connector_degree, hub_degree, is_candidate
from candidate_selection
where fiscal_year = $fiscal_year
    and is_candidate is distinct from (
        sales_jpy >= $min_sales_jpy
        and employees >= $min_employees
        and (
            coalesce(connector_degree >= $min_connector_degree, false)
            or coalesce(hub_degree >= $min_hub_degree, false)
        )
    )
order by prefecture_code, corporate_number
