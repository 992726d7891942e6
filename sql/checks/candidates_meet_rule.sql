-- Blocking: every candidate satisfies the rule in force, and every firm that satisfies it is one.
select
    selection.prefecture_code, selection.corporate_number, selection.sales_jpy, selection.employees,
    classes.size_class, selection.connector_degree, selection.hub_degree, selection.is_candidate
from candidate_selection as selection
join firm_size_classes as classes using (fiscal_year, corporate_number)
where selection.fiscal_year = $fiscal_year
    and selection.is_candidate is distinct from (
        selection.sales_jpy >= $min_sales_jpy
        and selection.employees >= $min_employees
        and not list_contains($excluded_size_classes, classes.size_class)
        and (
            coalesce(selection.connector_degree >= $min_connector_degree, false)
            or coalesce(selection.hub_degree >= $min_hub_degree, false)
        )
    )
order by selection.prefecture_code, selection.corporate_number
