-- Per firm: out-of-prefecture sales (incl. exports) and in-prefecture purchases (contract §3,
-- the macros of contract_degrees.sql), with the sums the policy indicators need, made in the same
-- pass. Transactions are read by their integer firm keys; see tables/checked_transactions.sql.
with firms as (
    select *
    from staged_firms
    where fiscal_year = $fiscal_year
),

transactions as (
    select supplier_key, customer_key, amount_jpy, within_prefecture, amount_estimated
    from checked_transactions
    where fiscal_year = $fiscal_year and reason is null
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
    out_of_prefecture_sales(sales.out_of_prefecture_firm_sales_jpy, firms.export_sales_jpy)
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
    coalesce(purchases.estimated_in_prefecture_purchases_jpy, 0) as estimated_in_prefecture_purchases_jpy,
    firms.firm_id,
    firms.vendor_code,
    firms.legal_form,
    firms.firm_key
from firms
left join firm_sales(transactions) as sales using (firm_key)
left join firm_purchases(transactions) as purchases using (firm_key)
