-- The year's KPIs summed over the 47 prefectures, and the year they are compared with.
select
    sum(in_prefecture_transactions_jpy),
    sum(out_of_prefecture_firm_sales_jpy),
    sum(export_sales_jpy),
    max(previous_fiscal_year)
from prefecture_kpis
where fiscal_year = $fiscal_year
