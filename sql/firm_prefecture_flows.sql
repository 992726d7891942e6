-- Per firm and counterpart prefecture, its sales and its purchases over the staged transactions:
-- the one pass over 20M rows that the indicators and the block degrees share (a temp table).
-- Staged pairs are unique (repeats are quarantined), so a row count is a count of firms.
with firms as (
    select cast(corporate_number as bigint) as firm_key, prefecture_code
    from staged_firms
    where fiscal_year = $fiscal_year
),

transactions as (
    select
        transactions.supplier_key,
        transactions.customer_key,
        transactions.amount_jpy,
        supplier.prefecture_code as supplier_prefecture_code,
        customer.prefecture_code as customer_prefecture_code
    from checked_transactions as transactions
    join firms as supplier on supplier.firm_key = transactions.supplier_key
    join firms as customer on customer.firm_key = transactions.customer_key
    where transactions.fiscal_year = $fiscal_year and transactions.reason is null
)

select
    supplier_key as firm_key,
    'sales' as direction,
    customer_prefecture_code as counterpart_prefecture_code,
    sum(amount_jpy) as amount_jpy,
    count(*) as counterparties,
    sum(cast(amount_jpy as double) * cast(amount_jpy as double)) as amount_squared,
    max(amount_jpy) as largest_amount_jpy
from transactions
group by all
union all
select
    customer_key,
    'purchases',
    supplier_prefecture_code,
    sum(amount_jpy),
    count(*),
    null,
    null
from transactions
group by all
