-- Per block and firm of its prefectures: sales to firms outside the block and purchases from
-- firms of the block's other prefectures — what the block degrees need beyond firm_flows (a
-- temp table). One pass over the rows that cross a prefecture line, each looked up in the
-- small table of (block, member prefecture, other prefecture, inside the block?) pairs; a
-- Fukui firm's rows count in both of its blocks.
with pairs as (
    select
        member.block_code,
        cast(member.prefecture_code as utinyint) as member_prefecture,
        cast(other.prefecture_code as utinyint) as other_prefecture,
        other.prefecture_code in (
            select prefecture_code from blocks as inside where inside.block_code = member.block_code
        ) as inside
    from blocks as member
    cross join prefectures as other
),

crossing as (
    select supplier_key, customer_key, amount_jpy, supplier_prefecture, customer_prefecture
    from checked_transactions
    where fiscal_year = $fiscal_year and reason is null and not within_prefecture
),

sales as (
    select pairs.block_code, crossing.supplier_key as firm_key, sum(crossing.amount_jpy) as amount_jpy
    from crossing
    join pairs
        on pairs.member_prefecture = crossing.supplier_prefecture
        and pairs.other_prefecture = crossing.customer_prefecture
    where not pairs.inside
    group by all
),

purchases as (
    select pairs.block_code, crossing.customer_key as firm_key, sum(crossing.amount_jpy) as amount_jpy
    from crossing
    join pairs
        on pairs.member_prefecture = crossing.customer_prefecture
        and pairs.other_prefecture = crossing.supplier_prefecture
    where pairs.inside
    group by all
)

select
    block_code,
    firm_key,
    coalesce(sales.amount_jpy, 0) as sales_out_of_block,
    coalesce(purchases.amount_jpy, 0) as purchases_from_the_block
from sales
full join purchases using (block_code, firm_key)
