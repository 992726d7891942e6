-- Warning: a firm whose out-of-prefecture sales exceed its own reported sales_jpy.
select prefecture_code, firm_id, name, sales_jpy, out_of_prefecture_sales_jpy
from firm_flows
where fiscal_year = $fiscal_year and out_of_prefecture_sales_jpy > sales_jpy
order by out_of_prefecture_sales_jpy - sales_jpy desc, firm_id
