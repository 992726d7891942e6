-- Rows staged for a fiscal year: the rows of a checked table without a reason.
select count(*) from query_table($table) where fiscal_year = $fiscal_year and reason is null
