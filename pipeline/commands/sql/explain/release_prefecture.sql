-- A prefecture's denominators in a release: the sums of its firms' numerators in the release's
-- firm_degrees.parquet, which holds every staged firm (as prefecture_totals.sql sums
-- firm_flows), and its firm and candidate counts.
select
    prefecture_code,
    count(*) as firms,
    sum(out_of_prefecture_sales_jpy) as out_of_prefecture_sales_jpy,
    sum(in_prefecture_purchases_jpy) as in_prefecture_purchases_jpy,
    count(*) filter (where is_candidate) as candidates
from read_parquet($firm_degrees)
where prefecture_code = $prefecture_code
group by prefecture_code
