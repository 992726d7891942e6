-- The rule in force for one fiscal year, as recorded by the selection.
select rule from selection_rules where fiscal_year = $fiscal_year
