-- The year's previous amount rule goes before staging records the one in force.
delete from amount_rules where fiscal_year = $fiscal_year
