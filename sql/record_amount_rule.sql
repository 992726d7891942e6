-- How the year's amounts were read (issue 8), as canonical JSON.
insert into amount_rules select $fiscal_year, $rule
