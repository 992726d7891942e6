-- Contract §3, written once. The pipeline (firm_flows, prefecture_totals, firm_degrees) and
-- `assess` (over its adjusted network) call these macros; the checks recompute the degrees
-- independently on purpose (checks/degrees_sum_to_one, checks/out_of_prefecture_sales_conserved).

-- Per firm key, from a set of transactions (supplier_key, customer_key, amount_jpy,
-- within_prefecture, amount_estimated): its sales to firms of other prefectures and its purchases
-- from firms of its own, the §3 numerators before exports; and, in the same pass over the
-- transactions, the sums the policy indicators need (Σ amount², the largest customer, counts of
-- counterparties: staged pairs are unique, so rows are firms) and the yen of estimated amounts.
create or replace macro firm_sales(transactions) as table
select
    supplier_key as firm_key,
    sum(amount_jpy) as sales_to_firms_jpy,
    coalesce(sum(amount_jpy) filter (where not within_prefecture), 0) as out_of_prefecture_firm_sales_jpy,
    coalesce(sum(amount_jpy) filter (where not within_prefecture and amount_estimated), 0)
        as estimated_out_of_prefecture_sales_jpy,
    -- Exact, then rounded once: a float sum would depend on the order threads add in.
    cast(sum(cast(amount_jpy as hugeint) * amount_jpy) as double) as sales_squared,
    max(amount_jpy) as top_customer_jpy,
    count(*) filter (where within_prefecture) as in_prefecture_customers,
    count(*) filter (where not within_prefecture) as out_of_prefecture_customers
from query_table(transactions)
group by supplier_key;

create or replace macro firm_purchases(transactions) as table
select
    customer_key as firm_key,
    sum(amount_jpy) as purchases_from_firms_jpy,
    coalesce(sum(amount_jpy) filter (where within_prefecture), 0) as in_prefecture_purchases_jpy,
    coalesce(sum(amount_jpy) filter (where within_prefecture and amount_estimated), 0)
        as estimated_in_prefecture_purchases_jpy,
    count(*) filter (where within_prefecture) as in_prefecture_suppliers,
    count(*) filter (where not within_prefecture) as out_of_prefecture_suppliers
from query_table(transactions)
group by customer_key;

-- A firm's out-of-prefecture sales: to firms of other prefectures, plus its exports.
create or replace macro out_of_prefecture_sales(out_of_prefecture_firm_sales_jpy, export_sales_jpy) as (
    coalesce(out_of_prefecture_firm_sales_jpy, 0) + export_sales_jpy
);

-- The denominators, per prefecture: the sums over the given firms (every staged firm of the
-- prefecture, whatever its size) of their numerators.
create or replace macro prefecture_denominators(flows) as table
select
    prefecture_code,
    coalesce(sum(out_of_prefecture_sales_jpy), 0) as prefecture_out_of_prefecture_sales_jpy,
    coalesce(sum(in_prefecture_purchases_jpy), 0) as prefecture_in_prefecture_purchases_jpy
from query_table(flows)
group by prefecture_code;

-- Each firm's degrees and ranks in its prefecture, from per-firm flows (prefecture_code,
-- out_of_prefecture_sales_jpy, in_prefecture_purchases_jpy, ...); a prefecture whose denominator
-- is 0 gives null degrees and null ranks. The flows' own columns come first, as they are.
create or replace macro firm_degrees_of(flows) as table
with degrees as (
    select
        firm.*,
        totals.prefecture_out_of_prefecture_sales_jpy,
        totals.prefecture_in_prefecture_purchases_jpy,
        share_of(firm.out_of_prefecture_sales_jpy, totals.prefecture_out_of_prefecture_sales_jpy)
            as connector_degree,
        share_of(firm.in_prefecture_purchases_jpy, totals.prefecture_in_prefecture_purchases_jpy)
            as hub_degree
    from query_table(flows) as firm
    join prefecture_denominators(flows) as totals using (prefecture_code)
)
select
    *,
    degree_rank(connector_degree, prefecture_code) as connector_rank,
    degree_rank(hub_degree, prefecture_code) as hub_rank
from degrees;
