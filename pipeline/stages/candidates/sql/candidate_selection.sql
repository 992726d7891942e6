-- The selection rule (contract §4, the macros of contract_rule.sql) applied to every firm, part by
-- part; thresholds come from the rule in force. The size class may be restricted
-- (excluded_size_classes). The composite score is the weighted mean of the six T-scores of
-- composite_indicators, ranked in the prefecture. $selection says which test picks the
-- candidates: 'thresholds' (the degree test) or 'composite_top_n'; the other is shown beside it.
-- The register's closures (firm_register_matches) count as $register_policy says.
with degrees as (
    select * from firm_degrees where fiscal_year = $fiscal_year
),

closures as (
    select corporate_number, close_date as register_close_date, close_cause as register_close_cause
    from firm_register_matches
    where fiscal_year = $fiscal_year and close_date is not null
),

tests as (
    select
        degrees.*,
        prefectures.prefecture_name,
        classes.size_class,
        classes.size_class_reason,
        meets_size(degrees.sales_jpy, degrees.employees, $min_sales_jpy, $min_employees) as meets_size,
        meets_size_class(classes.size_class, $excluded_size_classes) as meets_size_class,
        closures.register_close_date,
        closures.register_close_cause,
        meets_register($register_policy, closures.register_close_date) as meets_register,
        meets_degree(degrees.connector_degree, $min_connector_degree) as meets_connector,
        meets_degree(degrees.hub_degree, $min_hub_degree) as meets_hub,
        weighted_t_score(
            $weight_connector_degree, $weight_hub_degree, $weight_profit_contribution,
            $weight_employment_contribution, $weight_profit_growth, $weight_employment_growth,
            composite.connector_t, composite.hub_t, composite.profit_t,
            composite.employment_t, composite.profit_growth_t, composite.employment_growth_t
        ) as composite_score,
        composite.composite_reason
    from degrees
    join prefectures using (prefecture_code)
    join firm_size_classes as classes using (fiscal_year, firm_id)
    join composite_indicators as composite using (fiscal_year, firm_id)
    left join closures using (corporate_number)
),

-- The ranks are worked out on the scored firms' keys alone: a window drags every column it is
-- given through its sort, and the firms carry twenty-odd.
scored as (
    select
        firm_id,
        rank() over (partition by prefecture_code order by composite_score desc) as composite_rank
    from tests
    where composite_score is not null
),

eligible as (
    select
        firm_id,
        rank() over (partition by prefecture_code order by composite_score desc) as eligible_composite_rank
    from tests
    where composite_eligible(composite_score, meets_size, meets_size_class, meets_register)
)

select
    tests.*,
    scored.composite_rank,
    meets_composite(eligible.eligible_composite_rank, $top_n_per_prefecture) as meets_composite,
    is_candidate(
        $selection, tests.meets_size, tests.meets_size_class, tests.meets_register, tests.meets_connector,
        tests.meets_hub, meets_composite(eligible.eligible_composite_rank, $top_n_per_prefecture)
    ) as is_candidate
from tests
left join scored using (firm_id)
left join eligible using (firm_id)
