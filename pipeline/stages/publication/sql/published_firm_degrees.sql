-- Every staged firm with its degrees and the rule's outcome (contract §5), then the policy
-- indicators, the composite score, the vendor code and legal form, and the register test.
select
    selection.fiscal_year,
    selection.prefecture_code,
    selection.corporate_number,
    selection.name,
    selection.jsic_division,
    selection.sales_jpy,
    selection.employees,
    selection.out_of_prefecture_sales_jpy,
    selection.in_prefecture_purchases_jpy,
    selection.connector_degree,
    selection.hub_degree,
    selection.connector_rank,
    selection.hub_rank,
    selection.meets_connector,
    selection.meets_hub,
    selection.is_candidate,
    selection.size_class,
    selection.size_class_reason,
    indicators.in_prefecture_procurement_share,
    indicators.top_customer_share,
    indicators.customer_hhi,
    indicators.in_prefecture_customers,
    indicators.out_of_prefecture_customers,
    indicators.in_prefecture_suppliers,
    indicators.out_of_prefecture_suppliers,
    selection.composite_score,
    selection.composite_rank,
    selection.composite_reason,
    selection.meets_composite,
    selection.vendor_code,
    selection.legal_form,
    selection.meets_register,
    selection.register_close_date,
    selection.register_close_cause
from candidate_selection as selection
join firm_indicators as indicators using (fiscal_year, firm_id)
where selection.fiscal_year = $fiscal_year
order by
    selection.prefecture_code,
    greatest(selection.connector_degree, selection.hub_degree) desc nulls last,
    -- firm_id is the 法人番号 where there is one; a 個人's sorts after every number.
    selection.firm_id
