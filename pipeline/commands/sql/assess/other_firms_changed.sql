-- How many other staged firms of the prefecture the evidence moves: their in-prefecture
-- purchases from the assessed firm change with its sales (their out-of-prefecture sales cannot
-- change: a sale to the assessed firm stays inside the prefecture). Against firm_degrees.
select count(*) as in_prefecture_purchases_changed
from assess_degrees as adjusted
join firm_degrees as published
    on published.fiscal_year = $fiscal_year and published.firm_id = adjusted.firm_id
where adjusted.firm_id <> $firm_id
    and adjusted.in_prefecture_purchases_jpy <> published.in_prefecture_purchases_jpy
