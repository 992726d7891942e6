-- The assessed firm's published figures on the vendor data (before the evidence): its flows,
-- degrees, ranks and tests from the selection, and its prefecture's denominators.
select
    selection.out_of_prefecture_sales_jpy,
    selection.in_prefecture_purchases_jpy,
    selection.connector_degree,
    selection.hub_degree,
    selection.connector_rank,
    selection.hub_rank,
    selection.meets_size,
    selection.meets_size_class,
    selection.meets_connector,
    selection.meets_hub,
    selection.is_candidate,
    selection.composite_score,
    selection.composite_rank,
    selection.meets_composite,
    selection.meets_register,
    selection.register_close_date,
    totals.out_of_prefecture_sales_jpy as prefecture_out_of_prefecture_sales_jpy,
    totals.in_prefecture_purchases_jpy as prefecture_in_prefecture_purchases_jpy,
    totals.firms as prefecture_firms
from candidate_selection as selection
join prefecture_totals as totals using (fiscal_year, prefecture_code)
where selection.fiscal_year = $fiscal_year and selection.firm_id = $firm_id
