-- Blocking: Σ out-of-prefecture sales = Σ inter-prefecture transaction amounts + Σ exports.
with flows as (
    select
        sum(out_of_prefecture_sales_jpy) as out_of_prefecture_sales_jpy,
        sum(export_sales_jpy) as export_sales_jpy
    from firm_flows
    where fiscal_year = $fiscal_year
),

inter_prefecture as (
    select coalesce(sum(amount_jpy), 0) as amount_jpy
    from checked_transactions
    where fiscal_year = $fiscal_year and reason is null and not within_prefecture
)

select
    flows.out_of_prefecture_sales_jpy,
    inter_prefecture.amount_jpy as inter_prefecture_amount_jpy,
    flows.export_sales_jpy
from flows, inter_prefecture
where flows.out_of_prefecture_sales_jpy
    is distinct from inter_prefecture.amount_jpy + flows.export_sales_jpy
