-- The selection rule (contract §4) applied to every firm; thresholds come from the rule in force.
-- Issue 7 adds the size class, which the rule may restrict (excluded_size_classes). Issue 8 adds
-- the composite score (the weighted mean of the six T-scores of composite_indicators), its rank
-- in the prefecture, and meets_composite: within the top N by composite score among the firms
-- that pass the size tests. $selection says which test picks the candidates: 'thresholds' (the
-- degree test) or 'composite_top_n'; the other is shown beside it.
with degrees as (
    select * from firm_degrees where fiscal_year = $fiscal_year
),

tests as (
    select
        degrees.*,
        prefectures.prefecture_name,
        classes.size_class,
        classes.size_class_reason,
        degrees.sales_jpy >= $min_sales_jpy and degrees.employees >= $min_employees as meets_size,
        not list_contains($excluded_size_classes, classes.size_class) as meets_size_class,
        coalesce(degrees.connector_degree >= $min_connector_degree, false) as meets_connector,
        coalesce(degrees.hub_degree >= $min_hub_degree, false) as meets_hub,
        weighted_t_score(
            $weight_connector_degree, $weight_hub_degree, $weight_profit_contribution,
            $weight_employment_contribution, $weight_profit_growth, $weight_employment_growth,
            composite.connector_t, composite.hub_t, composite.profit_t,
            composite.employment_t, composite.profit_growth_t, composite.employment_growth_t
        ) as composite_score,
        composite.composite_reason
    from degrees
    join prefectures using (prefecture_code)
    join firm_size_classes as classes using (fiscal_year, corporate_number)
    join composite_indicators as composite using (fiscal_year, corporate_number)
),

-- The ranks are worked out on the scored firms' keys alone: a window drags every column it is
-- given through its sort, and the firms carry twenty-odd.
scored as (
    select
        corporate_number,
        rank() over (partition by prefecture_code order by composite_score desc) as composite_rank
    from tests
    where composite_score is not null
),

eligible as (
    select
        corporate_number,
        rank() over (partition by prefecture_code order by composite_score desc) as eligible_composite_rank
    from tests
    where composite_score is not null and meets_size and meets_size_class
)

select
    tests.*,
    scored.composite_rank,
    coalesce(eligible.eligible_composite_rank <= $top_n_per_prefecture, false) as meets_composite,
    tests.meets_size and tests.meets_size_class and case $selection
        when 'composite_top_n' then meets_composite
        else tests.meets_connector or tests.meets_hub
    end as is_candidate
from tests
left join scored using (corporate_number)
left join eligible using (corporate_number)
