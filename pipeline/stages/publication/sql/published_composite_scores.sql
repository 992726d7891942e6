-- Every scored firm's composite score with its working — the six indicators, their
-- average ranks and T-scores in the prefecture — for anyone to recompute with the weights in
-- rule.json. Names, the selection's outcome and why a firm has no score are in firm_degrees.
select
    selection.fiscal_year,
    selection.prefecture_code,
    selection.corporate_number,
    selection.connector_degree,
    selection.hub_degree,
    composite.profit_contribution_jpy,
    composite.employment_contribution,
    composite.profit_growth,
    composite.employment_growth,
    composite.scored_firms,
    composite.connector_rank_avg,
    composite.hub_rank_avg,
    composite.profit_rank_avg,
    composite.employment_rank_avg,
    composite.profit_growth_rank_avg,
    composite.employment_growth_rank_avg,
    composite.connector_t,
    composite.hub_t,
    composite.profit_t,
    composite.employment_t,
    composite.profit_growth_t,
    composite.employment_growth_t,
    selection.composite_score,
    selection.composite_rank,
    selection.vendor_code,
    selection.legal_form
from candidate_selection as selection
join composite_indicators as composite using (fiscal_year, firm_id)
where selection.fiscal_year = $fiscal_year and selection.composite_reason is null
order by selection.prefecture_code, selection.firm_id
