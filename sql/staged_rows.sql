-- Rows staged for a fiscal year (staged_firms or staged_transactions).
select count(*) from query_table($table) where fiscal_year = $fiscal_year
