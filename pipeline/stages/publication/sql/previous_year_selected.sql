-- Whether the previous fiscal year's selection is in the warehouse (the change list needs it).
select 1 from candidate_selection where fiscal_year = $fiscal_year - 1 limit 1
