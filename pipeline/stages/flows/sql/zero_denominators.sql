-- Prefectures where a degree is undefined because its denominator is 0.
select prefecture_code, prefecture_name, concat_ws(' and ',
    case when out_of_prefecture_sales_jpy = 0 then 'connector' end,
    case when in_prefecture_purchases_jpy = 0 then 'hub' end
) as which
from prefecture_totals
where fiscal_year = $fiscal_year
    and (out_of_prefecture_sales_jpy = 0 or in_prefecture_purchases_jpy = 0)
order by prefecture_code
