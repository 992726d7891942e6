-- Blocking: every candidate satisfies the rule in force, and every firm that satisfies it is one.
-- With selection 'composite_top_n', the top N is recounted here from the scores. Written out
-- from the thresholds on purpose, not with contract_rule.sql's macros: an independent check of
-- the selection (the register's closures are read from the register itself, not the matches).
with closed as (
    select corporate_number from corporate_register where close_date is not null
),

tested as (
    select
        selection.*,
        classes.size_class,
        selection.sales_jpy >= $min_sales_jpy
        and selection.employees >= $min_employees
        and not list_contains($excluded_size_classes, classes.size_class)
        and ($register_policy = 'report' or closed.corporate_number is null) as passes_size
    from candidate_selection as selection
    join firm_size_classes as classes using (fiscal_year, firm_id)
    left join closed on closed.corporate_number = selection.corporate_number
    where selection.fiscal_year = $fiscal_year
),

placed as (
    select
        *,
        -- 1 + the eligible firms of the prefecture with a higher score.
        rank() over (
            partition by prefecture_code, passes_size and composite_score is not null
            order by composite_score desc
        ) as place
    from tested
)

select
    prefecture_code, firm_id, sales_jpy, employees, size_class, connector_degree, hub_degree,
    composite_score, is_candidate
from placed
where is_candidate is distinct from (
    passes_size and case $selection
        when 'composite_top_n' then composite_score is not null and place <= $top_n_per_prefecture
        else coalesce(connector_degree >= $min_connector_degree, false)
            or coalesce(hub_degree >= $min_hub_degree, false)
    end
)
order by prefecture_code, firm_id
