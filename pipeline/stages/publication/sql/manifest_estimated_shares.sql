-- Per prefecture, the share of each degree's denominator that rests on estimated amounts.
select
    prefecture_code,
    estimated_out_of_prefecture_sales_share,
    estimated_in_prefecture_purchases_share
from prefecture_kpis
where fiscal_year = $fiscal_year
order by prefecture_code
