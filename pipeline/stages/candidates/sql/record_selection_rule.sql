-- The rule in force for one fiscal year's selection, as canonical JSON.
insert into selection_rules select $fiscal_year, $rule
