-- The staged firms whose flows (contract §3) exceed what a yen column holds (BIGINT), with the
-- flow and its exact sum: firm_flows cannot store them, and the run names them instead.
with transactions as (
    select supplier_key, customer_key, cast(amount_jpy as hugeint) as amount_jpy, within_prefecture
    from checked_transactions
    where fiscal_year = $fiscal_year and reason is null
),

flows as (
    select supplier_key as firm_key, 'sales to firms' as flow, sum(amount_jpy) as yen, count(*) as rows
    from transactions
    group by supplier_key
    union all
    select supplier_key, 'out-of-prefecture sales', sum(amount_jpy), count(*)
    from transactions
    where not within_prefecture
    group by supplier_key
    union all
    select customer_key, 'purchases from firms', sum(amount_jpy), count(*)
    from transactions
    group by customer_key
    union all
    select customer_key, 'in-prefecture purchases', sum(amount_jpy), count(*)
    from transactions
    where within_prefecture
    group by customer_key
),

firms as (
    select firm_key, firm_id, name, export_sales_jpy
    from staged_firms
    where fiscal_year = $fiscal_year
)

select
    firms.firm_id,
    firms.name,
    flows.flow,
    flows.yen + if(flows.flow = 'out-of-prefecture sales', firms.export_sales_jpy, 0) as yen,
    flows.rows
from flows
join firms using (firm_key)
where flows.yen + if(flows.flow = 'out-of-prefecture sales', firms.export_sales_jpy, 0) > 9223372036854775807
order by firms.firm_id, flows.flow
limit 5
