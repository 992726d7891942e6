-- A prefecture's denominators and firm count, for `explain`.
select
    prefecture_code,
    prefecture_name,
    firms,
    out_of_prefecture_sales_jpy,
    in_prefecture_purchases_jpy,
    (select count(*) from candidate_selection as s
        where s.fiscal_year = $fiscal_year and s.prefecture_code = $prefecture_code and s.is_candidate)
        as candidates
from prefecture_totals
where fiscal_year = $fiscal_year and prefecture_code = $prefecture_code
