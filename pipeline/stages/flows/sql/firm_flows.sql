-- Per firm: out-of-prefecture sales (incl. exports) and in-prefecture purchases (contract §3);
-- in the same pass, what issue 7's indicators need (Σ amount², the largest customer, counts of
-- counterparties: staged pairs are unique, so rows are firms) and the yen of issue 8's
-- estimated amounts. Transactions are read by their integer firm keys; see schema.sql.
with firms as (
    select *, cast(corporate_number as bigint) as firm_key
    from staged_firms
    where fiscal_year = $fiscal_year
),

transactions as (
    select supplier_key, customer_key, amount_jpy, within_prefecture, amount_estimated
    from checked_transactions
    where fiscal_year = $fiscal_year and reason is null
),

sales as (
    select
        supplier_key as firm_key,
        sum(amount_jpy) as sales_to_firms_jpy,
        coalesce(sum(amount_jpy) filter (where not within_prefecture), 0)
            as out_of_prefecture_firm_sales_jpy,
        coalesce(sum(amount_jpy) filter (where not within_prefecture and amount_estimated), 0)
            as estimated_out_of_prefecture_sales_jpy,
        -- Exact, then rounded once: a float sum would depend on the order threads add in.
        cast(sum(cast(amount_jpy as hugeint) * amount_jpy) as double) as sales_squared,
        max(amount_jpy) as top_customer_jpy,
        count(*) filter (where within_prefecture) as in_prefecture_customers,
        count(*) filter (where not within_prefecture) as out_of_prefecture_customers
    from transactions
    group by supplier_key
),

purchases as (
    select
        customer_key as firm_key,
        sum(amount_jpy) as purchases_from_firms_jpy,
        coalesce(sum(amount_jpy) filter (where within_prefecture), 0)
            as in_prefecture_purchases_jpy,
        coalesce(sum(amount_jpy) filter (where within_prefecture and amount_estimated), 0)
            as estimated_in_prefecture_purchases_jpy,
        count(*) filter (where within_prefecture) as in_prefecture_suppliers,
        count(*) filter (where not within_prefecture) as out_of_prefecture_suppliers
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
    coalesce(purchases.in_prefecture_purchases_jpy, 0) as in_prefecture_purchases_jpy,
    sales.sales_squared,
    sales.top_customer_jpy,
    coalesce(sales.in_prefecture_customers, 0) as in_prefecture_customers,
    coalesce(sales.out_of_prefecture_customers, 0) as out_of_prefecture_customers,
    coalesce(purchases.in_prefecture_suppliers, 0) as in_prefecture_suppliers,
    coalesce(purchases.out_of_prefecture_suppliers, 0) as out_of_prefecture_suppliers,
    coalesce(sales.estimated_out_of_prefecture_sales_jpy, 0) as estimated_out_of_prefecture_sales_jpy,
    coalesce(purchases.estimated_in_prefecture_purchases_jpy, 0) as estimated_in_prefecture_purchases_jpy
from firms
left join sales using (firm_key)
left join purchases using (firm_key)
