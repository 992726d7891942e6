-- The published reconciliation: every staged firm of the year, by prefecture then number
-- (used_prefecture_code last: it was added after the others).
select * exclude (register_date, used_prefecture_code), register_date, used_prefecture_code
from firm_register_matches
where fiscal_year = $fiscal_year
order by vendor_prefecture_code, corporate_number
