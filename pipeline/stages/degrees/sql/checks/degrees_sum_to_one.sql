-- Blocking: in each prefecture with a non-zero denominator, the degrees sum to 1 ± 1e-9;
-- where a denominator is 0, every degree is null.
with sums as (
    select
        prefecture_code,
        sum(connector_degree) as connector_sum,
        sum(hub_degree) as hub_sum
    from firm_degrees
    where fiscal_year = $fiscal_year
    group by prefecture_code
),

totals as (
    select prefecture_code, out_of_prefecture_sales_jpy, in_prefecture_purchases_jpy
    from prefecture_totals
    where fiscal_year = $fiscal_year
)

select sums.prefecture_code, sums.connector_sum, sums.hub_sum
from sums
join totals using (prefecture_code)
where (totals.out_of_prefecture_sales_jpy > 0 and abs(coalesce(sums.connector_sum, 0) - 1) > 1e-9)
    or (totals.in_prefecture_purchases_jpy > 0 and abs(coalesce(sums.hub_sum, 0) - 1) > 1e-9)
    or (totals.out_of_prefecture_sales_jpy = 0 and sums.connector_sum is not null)
    or (totals.in_prefecture_purchases_jpy = 0 and sums.hub_sum is not null)
order by sums.prefecture_code
