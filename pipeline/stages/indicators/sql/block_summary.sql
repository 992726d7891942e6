-- Per block: firms and the two block totals, for the asset's metadata.
select block_name, count(*) as firms, sum(out_of_block_sales_jpy), sum(in_block_purchases_jpy)
from block_degrees
where fiscal_year = $fiscal_year
group by block_name, block_order
order by block_order
