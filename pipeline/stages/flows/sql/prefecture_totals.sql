-- Per prefecture (all 47): the denominators of the degrees, over every staged firm whatever its size.
with flows as (
    select * from firm_flows where fiscal_year = $fiscal_year
)

select
    $fiscal_year as fiscal_year,
    prefectures.prefecture_code,
    prefectures.prefecture_name,
    count(flows.corporate_number) as firms,
    coalesce(sum(flows.sales_jpy), 0) as sales_jpy,
    coalesce(sum(flows.export_sales_jpy), 0) as export_sales_jpy,
    coalesce(sum(flows.out_of_prefecture_sales_jpy), 0) as out_of_prefecture_sales_jpy,
    coalesce(sum(flows.in_prefecture_purchases_jpy), 0) as in_prefecture_purchases_jpy,
    coalesce(sum(flows.estimated_out_of_prefecture_sales_jpy), 0) as estimated_out_of_prefecture_sales_jpy,
    coalesce(sum(flows.estimated_in_prefecture_purchases_jpy), 0) as estimated_in_prefecture_purchases_jpy
from prefectures
left join flows using (prefecture_code)
group by all
