-- Warning: a prefecture whose totals or candidate count moved more than the threshold
-- from the previous fiscal year (only when that year is in the warehouse).
with candidates as (
    select fiscal_year, prefecture_code, count(*) filter (where is_candidate) as candidates
    from candidate_selection
    where fiscal_year in ($fiscal_year, $fiscal_year - 1)
    group by all
),

years as (
    select
        totals.fiscal_year,
        totals.prefecture_code,
        totals.prefecture_name,
        totals.out_of_prefecture_sales_jpy,
        totals.in_prefecture_purchases_jpy,
        coalesce(candidates.candidates, 0) as candidates
    from prefecture_totals as totals
    left join candidates using (fiscal_year, prefecture_code)
    where totals.fiscal_year in ($fiscal_year, $fiscal_year - 1)
),

moves as (
    select
        current.prefecture_code,
        current.prefecture_name,
        (current.out_of_prefecture_sales_jpy - previous.out_of_prefecture_sales_jpy)
            / nullif(previous.out_of_prefecture_sales_jpy, 0) as connector_total_change,
        (current.in_prefecture_purchases_jpy - previous.in_prefecture_purchases_jpy)
            / nullif(previous.in_prefecture_purchases_jpy, 0) as hub_total_change,
        (current.candidates - previous.candidates) / nullif(previous.candidates, 0) as candidate_change
    from years as current
    join years as previous
        on previous.prefecture_code = current.prefecture_code
        and previous.fiscal_year = current.fiscal_year - 1
    where current.fiscal_year = $fiscal_year
)

select *
from moves
where abs(connector_total_change) > $threshold
    or abs(hub_total_change) > $threshold
    or abs(candidate_change) > $threshold
order by prefecture_code
