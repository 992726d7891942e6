-- One candidate list per block: the candidates of the block's prefectures (the rule
-- is applied per prefecture, contract §4) with their block-level degrees and ranks. Fukui's
-- candidates are in both 北陸 and 近畿.
select
    blocks.fiscal_year,
    blocks.block_code,
    blocks.block_name,
    selection.prefecture_code,
    selection.prefecture_name,
    selection.corporate_number,
    selection.name,
    selection.jsic_division,
    selection.sales_jpy,
    selection.employees,
    selection.size_class,
    selection.connector_degree,
    selection.hub_degree,
    blocks.out_of_block_sales_jpy,
    blocks.in_block_purchases_jpy,
    blocks.block_connector_degree,
    blocks.block_hub_degree,
    blocks.block_connector_rank,
    blocks.block_hub_rank,
    selection.vendor_code,
    selection.legal_form
from block_degrees as blocks
join candidate_selection as selection using (fiscal_year, firm_id)
where blocks.fiscal_year = $fiscal_year and selection.is_candidate
order by
    blocks.block_order,
    greatest(blocks.block_connector_degree, blocks.block_hub_degree) desc nulls last,
    selection.firm_id
