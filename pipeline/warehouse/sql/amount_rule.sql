-- How one fiscal year's amounts were read, as recorded by staging.
select rule from amount_rules where fiscal_year = $fiscal_year
