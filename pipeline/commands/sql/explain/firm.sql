-- One firm's selection outcome, flows and input row, for `explain`; the firm by its firm_id (its
-- 法人番号, or 'vendor:' and a 個人's vendor code).
select
    selection.fiscal_year,
    selection.prefecture_code,
    selection.prefecture_name,
    selection.corporate_number,
    selection.name,
    selection.jsic_division,
    selection.sales_jpy,
    selection.employees,
    flows.export_sales_jpy,
    flows.sales_to_firms_jpy,
    flows.purchases_from_firms_jpy,
    selection.out_of_prefecture_sales_jpy,
    selection.in_prefecture_purchases_jpy,
    selection.connector_degree,
    selection.hub_degree,
    selection.connector_rank,
    selection.hub_rank,
    selection.meets_size,
    selection.meets_connector,
    selection.meets_hub,
    selection.is_candidate,
    selection.size_class,
    selection.size_class_reason,
    selection.meets_size_class,
    selection.composite_score,
    selection.composite_rank,
    selection.composite_reason,
    selection.meets_composite,
    staged.source_file,
    staged.row_number,
    selection.vendor_code,
    selection.legal_form,
    staged.firm_key,
    selection.meets_register,
    selection.register_close_date,
    selection.register_close_cause
from candidate_selection as selection
join firm_flows as flows using (fiscal_year, firm_id)
join staged_firms as staged using (fiscal_year, firm_id)
where selection.fiscal_year = $fiscal_year
    and (selection.firm_id = $firm_id or selection.vendor_code = $vendor_code)
