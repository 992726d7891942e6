-- KPI baselines per prefecture, with the change from the previous fiscal year where
-- the warehouse holds one: 域内取引額 (Σ transactions between two firms of the prefecture),
-- 域外販売額 (its firms' sales to firms of other prefectures), exports, and the candidates
-- with their sales and employees; and the share of each degree's denominator that
-- rests on estimated amounts, null where the denominator is 0.
with kpis as (
    select
        totals.fiscal_year,
        totals.prefecture_code,
        totals.prefecture_name,
        totals.in_prefecture_purchases_jpy as in_prefecture_transactions_jpy,
        totals.out_of_prefecture_sales_jpy - totals.export_sales_jpy as out_of_prefecture_firm_sales_jpy,
        totals.export_sales_jpy,
        count(selection.firm_id) as candidates,
        coalesce(sum(selection.sales_jpy), 0) as candidate_sales_jpy,
        coalesce(sum(selection.employees), 0) as candidate_employees,
        totals.estimated_out_of_prefecture_sales_jpy
        / nullif(totals.out_of_prefecture_sales_jpy, 0) as estimated_out_of_prefecture_sales_share,
        totals.estimated_in_prefecture_purchases_jpy
        / nullif(totals.in_prefecture_purchases_jpy, 0) as estimated_in_prefecture_purchases_share
    from prefecture_totals as totals
    left join candidate_selection as selection
        on selection.fiscal_year = totals.fiscal_year
        and selection.prefecture_code = totals.prefecture_code
        and selection.is_candidate
    where totals.fiscal_year in ($fiscal_year, $fiscal_year - 1)
    group by all
)

select
    this_year.*,
    last_year.fiscal_year as previous_fiscal_year,
    this_year.in_prefecture_transactions_jpy - last_year.in_prefecture_transactions_jpy
        as in_prefecture_transactions_jpy_change,
    this_year.out_of_prefecture_firm_sales_jpy - last_year.out_of_prefecture_firm_sales_jpy
        as out_of_prefecture_firm_sales_jpy_change,
    this_year.export_sales_jpy - last_year.export_sales_jpy as export_sales_jpy_change,
    this_year.candidates - last_year.candidates as candidates_change,
    this_year.candidate_sales_jpy - last_year.candidate_sales_jpy as candidate_sales_jpy_change,
    this_year.candidate_employees - last_year.candidate_employees as candidate_employees_change
from kpis as this_year
left join kpis as last_year
    on last_year.fiscal_year = this_year.fiscal_year - 1
    and last_year.prefecture_code = this_year.prefecture_code
where this_year.fiscal_year = $fiscal_year
