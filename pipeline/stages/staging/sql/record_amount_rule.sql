-- How the year's amounts were read, as canonical JSON; run inside staging's transaction
-- after forget_amount_rule.sql, so that the rule recorded is the one the rows were made with.
insert into amount_rules select $fiscal_year, $amount_rule
