-- What the estimate did for one fiscal year: estimated rows and yen against all staged
-- yen, the suppliers with estimates, those whose stated amounts left nothing to apportion,
-- and the estimates that came to 0 yen.
with staged as (
    select supplier_key, amount_jpy, amount_estimated
    from checked_transactions
    where fiscal_year = $fiscal_year and reason is null
),

suppliers as (
    select
        staged.supplier_key,
        any_value(firms.sales_jpy - firms.export_sales_jpy) as domestic_sales_jpy,
        coalesce(sum(staged.amount_jpy) filter (where not staged.amount_estimated), 0) as stated_jpy
    from staged
    join staged_firms as firms
        on firms.fiscal_year = $fiscal_year and firms.firm_key = staged.supplier_key
    where staged.supplier_key in (select supplier_key from staged where amount_estimated)
    group by staged.supplier_key
)

select
    (select count(*) from staged where amount_estimated) as estimated_rows,
    (select coalesce(sum(amount_jpy) filter (where amount_estimated), 0) from staged) as estimated_jpy,
    (select coalesce(sum(amount_jpy), 0) from staged) as staged_jpy,
    (select count(*) from suppliers) as suppliers_estimated,
    (select count(*) from suppliers where stated_jpy >= domestic_sales_jpy) as suppliers_without_remainder,
    (select count(*) from staged where amount_estimated and amount_jpy = 0) as zero_yen_estimates
