-- Every staged firm's two degrees and whether it is a candidate, for the per-prefecture charts.
select prefecture_code, connector_degree, hub_degree, is_candidate
from candidate_selection
where fiscal_year = $fiscal_year
order by prefecture_code, firm_id
