-- Per firm and counterpart prefecture, its sales to and purchases from other prefectures'
-- firms: what the block degrees need beyond firm_flows (a temp table). Only the rows that
-- cross a prefecture line are read; the prefectures come from staging, with no join.
with crossing as (
    select supplier_key, customer_key, amount_jpy, supplier_prefecture, customer_prefecture
    from checked_transactions
    where fiscal_year = $fiscal_year and reason is null and not within_prefecture
)

select supplier_key as firm_key, 'sales' as direction, customer_prefecture as counterpart, sum(amount_jpy) as amount_jpy
from crossing
group by all
union all
select customer_key, 'purchases', supplier_prefecture, sum(amount_jpy)
from crossing
group by all
