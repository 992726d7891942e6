-- Per firm: out-of-prefecture sales (incl. exports) and in-prefecture purchases (contract §3).
-- Transactions are read by their integer firm keys; see checked_transactions in schema.sql.
with firms as (
    select *, cast(corporate_number as bigint) as firm_key
    from staged_firms
    where fiscal_year = $fiscal_year
),

transactions as (
    select supplier_key, customer_key, amount_jpy, within_prefecture
    from checked_transactions
    where fiscal_year = $fiscal_year and reason is null
),

sales as (
    select
        supplier_key as firm_key,
        sum(amount_jpy) as sales_to_firms_jpy,
        coalesce(sum(amount_jpy) filter (where not within_prefecture), 0)
            as out_of_prefecture_firm_sales_jpy
    from transactions
    group by supplier_key
),

purchases as (
    select
        customer_key as firm_key,
        sum(amount_jpy) as purchases_from_firms_jpy,
        coalesce(sum(amount_jpy) filter (where within_prefecture), 0)
            as in_prefecture_purchases_jpy
    from transactions
    group by customer_key
)

select
    firms.fiscal_year,
    firms.corporate_number,
    firms.prefecture_code,
    firms.name,
    firms.jsic_division,
    firms.sales_jpy,
    firms.employees,
    firms.export_sales_jpy,
    coalesce(sales.sales_to_firms_jpy, 0) as sales_to_firms_jpy,
    coalesce(sales.out_of_prefecture_firm_sales_jpy, 0) + firms.export_sales_jpy
        as out_of_prefecture_sales_jpy,
    coalesce(purchases.purchases_from_firms_jpy, 0) as purchases_from_firms_jpy,
    coalesce(purchases.in_prefecture_purchases_jpy, 0) as in_prefecture_purchases_jpy
from firms
left join sales using (firm_key)
left join purchases using (firm_key)
