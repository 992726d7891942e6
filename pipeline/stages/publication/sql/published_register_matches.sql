-- The published reconciliation: every staged firm of the year, by prefecture then number.
select * exclude (register_date), register_date
from firm_register_matches
where fiscal_year = $fiscal_year
order by vendor_prefecture_code, corporate_number
