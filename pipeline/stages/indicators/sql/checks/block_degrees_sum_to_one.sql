-- Blocking: every staged firm of a block's prefectures is in the block once, and in each block
-- with a non-zero total its degrees sum to 1 ± 1e-9 (a zero total gives null degrees).
with expected as (
    select blocks.block_code, count(firms.firm_id) as firms
    from blocks
    left join staged_firms as firms
        on firms.prefecture_code = blocks.prefecture_code and firms.fiscal_year = $fiscal_year
    group by blocks.block_code
),

sums as (
    select
        block_code,
        count(distinct firm_id) as firms,
        count(*) as block_rows,
        sum(out_of_block_sales_jpy) as out_total,
        sum(in_block_purchases_jpy) as in_total,
        sum(block_connector_degree) as connector_sum,
        sum(block_hub_degree) as hub_sum
    from block_degrees
    where fiscal_year = $fiscal_year
    group by block_code
)

select expected.block_code, expected.firms as expected_firms, sums.block_rows, sums.connector_sum, sums.hub_sum
from expected
left join sums using (block_code)
where coalesce(sums.firms, 0) <> expected.firms
    or coalesce(sums.block_rows, 0) <> expected.firms
    or (sums.out_total > 0 and abs(sums.connector_sum - 1) > 1e-9)
    or (sums.in_total > 0 and abs(sums.hub_sum - 1) > 1e-9)
    or (sums.out_total = 0 and sums.connector_sum is not null)
    or (sums.in_total = 0 and sums.hub_sum is not null)
order by expected.block_code
