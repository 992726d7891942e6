-- Selection 'composite_top_n': the assessed firm's place once its prefecture's degrees
-- are adjusted. assess_composite holds composite_indicators' columns recomputed over the
-- adjusted degrees; the rule's weights give each firm's score, as in candidate_selection.sql.
with scored as (
    select
        composite.firm_id,
        composite.composite_reason,
        composite.scored_firms,
        weighted_t_score(
            $weight_connector_degree, $weight_hub_degree, $weight_profit_contribution,
            $weight_employment_contribution, $weight_profit_growth, $weight_employment_growth,
            composite.connector_t, composite.hub_t, composite.profit_t,
            composite.employment_t, composite.profit_growth_t, composite.employment_growth_t
        ) as composite_score,
        -- Who may be ranked for the top N, with the selection's own tests (contract_rule.sql).
        meets_size(staged.sales_jpy, staged.employees, $min_sales_jpy, $min_employees)
        and meets_size_class(classes.size_class, $excluded_size_classes)
        and meets_register($register_policy, selection.register_close_date) as passes_size
    from assess_composite as composite
    join staged_firms as staged
        on staged.fiscal_year = $fiscal_year and staged.firm_id = composite.firm_id
    join firm_size_classes as classes
        on classes.fiscal_year = $fiscal_year and classes.firm_id = composite.firm_id
    left join candidate_selection as selection
        on selection.fiscal_year = $fiscal_year and selection.firm_id = composite.firm_id
),

ranked as (
    select
        *,
        case when composite_score is not null then
            rank() over (partition by composite_score is null order by composite_score desc)
        end as composite_rank,
        case when composite_score is not null and passes_size then
            rank() over (partition by composite_score is not null and passes_size order by composite_score desc)
        end as eligible_rank,
        count(*) filter (where composite_score is not null and passes_size) over () as eligible_firms
    from scored
)

select composite_score, composite_rank, composite_reason, scored_firms, eligible_rank, eligible_firms
from ranked
where firm_id = $firm_id
