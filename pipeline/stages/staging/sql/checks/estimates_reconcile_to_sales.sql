-- Blocking: for every supplier with estimated amounts, stated + estimated yen equal
-- its domestic sales (sales_jpy − export_sales_jpy) — or, where its stated amounts already
-- exceed them, the estimates are 0 and the stated amounts stand as they are. No estimates, no rows.
with estimated_suppliers as (
    select distinct supplier_key
    from checked_transactions
    where fiscal_year = $fiscal_year and reason is null and amount_estimated
),

totals as (
    select
        staged.supplier_key,
        coalesce(sum(staged.amount_jpy) filter (where not staged.amount_estimated), 0) as stated_jpy,
        sum(staged.amount_jpy) filter (where staged.amount_estimated) as estimated_jpy,
        count(*) filter (where staged.amount_estimated and staged.amount_jpy is null) as not_estimated
    from checked_transactions as staged
    where staged.fiscal_year = $fiscal_year
        and staged.reason is null
        and staged.supplier_key in (select supplier_key from estimated_suppliers)
    group by staged.supplier_key
)

select
    firms.firm_id as supplier,
    firms.sales_jpy - firms.export_sales_jpy as domestic_sales_jpy,
    totals.stated_jpy,
    totals.estimated_jpy,
    totals.not_estimated
from totals
join staged_firms as firms
    on firms.fiscal_year = $fiscal_year and firms.firm_key = totals.supplier_key
where totals.not_estimated > 0
    or totals.estimated_jpy < 0
    or totals.stated_jpy + totals.estimated_jpy
    <> greatest(firms.sales_jpy - firms.export_sales_jpy, totals.stated_jpy)
