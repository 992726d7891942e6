-- Row counts per stage for one fiscal year (staged transactions counted without the view's joins).
select 'raw_firms' as stage, rows_read from input_files where fiscal_year = $fiscal_year and kind = 'firms'
union all
select 'raw_transactions', rows_read from input_files where fiscal_year = $fiscal_year and kind = 'transactions'
union all
select 'staged_firms', count(*) from staged_firms where fiscal_year = $fiscal_year
union all
select 'quarantined_firms', count(*) from quarantined_firms where fiscal_year = $fiscal_year
union all
select 'staged_transactions', count(*) from checked_transactions where fiscal_year = $fiscal_year and reason is null
union all
select 'quarantined_transactions', count(*) from quarantined_transactions where fiscal_year = $fiscal_year
union all
select 'firm_flows', count(*) from firm_flows where fiscal_year = $fiscal_year
union all
select 'firm_degrees', count(*) from firm_degrees where fiscal_year = $fiscal_year
union all
select 'candidates', count(*) filter (where is_candidate) from candidate_selection where fiscal_year = $fiscal_year
