-- Warning: a prefecture with no candidates, or with a zero denominator.
with candidates as (
    select prefecture_code, count(*) filter (where is_candidate) as candidates
    from candidate_selection
    where fiscal_year = $fiscal_year
    group by prefecture_code
)

select
    totals.prefecture_code,
    totals.prefecture_name,
    coalesce(candidates.candidates, 0) as candidates,
    totals.out_of_prefecture_sales_jpy = 0 as zero_connector_denominator,
    totals.in_prefecture_purchases_jpy = 0 as zero_hub_denominator
from prefecture_totals as totals
left join candidates using (prefecture_code)
where totals.fiscal_year = $fiscal_year
    and (
        coalesce(candidates.candidates, 0) = 0
        or totals.out_of_prefecture_sales_jpy = 0
        or totals.in_prefecture_purchases_jpy = 0
    )
order by totals.prefecture_code
