-- Block-level degrees, per block and firm of the block's prefectures. Like
-- contract §3 with the block in place of the prefecture:
-- out_of_block_sales_jpy = sales to customers outside the block + export_sales_jpy;
-- in_block_purchases_jpy = purchases from suppliers inside the block;
-- each degree = the firm's amount ÷ the block's total (null where that is 0), ranked with
-- RANK() within the block. Fukui's firms are in both 北陸 and 近畿, with a degree in each.
-- Within-prefecture amounts come from firm_flows; block_crossings (a temp table) holds the
-- amounts that cross a prefecture line, per block and firm.
with firms as (
    select
        firm_id,
        firm_key,
        prefecture_code,
        export_sales_jpy,
        in_prefecture_purchases_jpy
    from firm_flows
    where fiscal_year = $fiscal_year
),

members as (
    select firms.*, blocks.block_code, blocks.block_name, blocks.block_order
    from firms
    join blocks using (prefecture_code)
),

per_firm as (
    select
        members.block_code,
        members.block_name,
        members.block_order,
        members.prefecture_code,
        members.firm_id,
        coalesce(crossing.sales_out_of_block, 0) + members.export_sales_jpy as out_of_block_sales_jpy,
        coalesce(crossing.purchases_from_the_block, 0) + members.in_prefecture_purchases_jpy
            as in_block_purchases_jpy
    from members
    left join block_crossings as crossing using (block_code, firm_key)
),

degrees as (
    select
        *,
        share_of(out_of_block_sales_jpy, sum(out_of_block_sales_jpy) over block) as block_connector_degree,
        share_of(in_block_purchases_jpy, sum(in_block_purchases_jpy) over block) as block_hub_degree
    from per_firm
    window block as (partition by block_code)
)

select
    $fiscal_year as fiscal_year,
    *,
    degree_rank(block_connector_degree, block_code) as block_connector_rank,
    degree_rank(block_hub_degree, block_code) as block_hub_rank
from degrees
