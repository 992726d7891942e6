-- Per prefecture (all 47): the denominators of the degrees (contract §3, prefecture_denominators
-- in contract_degrees.sql) over every staged firm whatever its size, with the prefecture's other sums.
with flows as (
    select * from firm_flows where fiscal_year = $fiscal_year
),

sums as (
    select
        prefecture_code,
        count(*) as firms,
        sum(sales_jpy) as sales_jpy,
        sum(export_sales_jpy) as export_sales_jpy,
        sum(estimated_out_of_prefecture_sales_jpy) as estimated_out_of_prefecture_sales_jpy,
        sum(estimated_in_prefecture_purchases_jpy) as estimated_in_prefecture_purchases_jpy
    from flows
    group by prefecture_code
)

select
    $fiscal_year as fiscal_year,
    prefectures.prefecture_code,
    prefectures.prefecture_name,
    coalesce(sums.firms, 0) as firms,
    coalesce(sums.sales_jpy, 0) as sales_jpy,
    coalesce(sums.export_sales_jpy, 0) as export_sales_jpy,
    coalesce(denominators.prefecture_out_of_prefecture_sales_jpy, 0) as out_of_prefecture_sales_jpy,
    coalesce(denominators.prefecture_in_prefecture_purchases_jpy, 0) as in_prefecture_purchases_jpy,
    coalesce(sums.estimated_out_of_prefecture_sales_jpy, 0) as estimated_out_of_prefecture_sales_jpy,
    coalesce(sums.estimated_in_prefecture_purchases_jpy, 0) as estimated_in_prefecture_purchases_jpy
from prefectures
left join sums using (prefecture_code)
left join prefecture_denominators(flows) as denominators using (prefecture_code)
