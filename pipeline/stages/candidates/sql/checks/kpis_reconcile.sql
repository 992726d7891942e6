-- Blocking: each prefecture's KPIs equal the sums recomputed from the staged rows themselves:
-- 域内取引額 and 域外販売額 from the transactions by the supplier's prefecture, exports from
-- the firms, candidates from the selection.
with firms as (
    select prefecture_code, export_sales_jpy
    from staged_firms
    where fiscal_year = $fiscal_year
),

transactions as (
    select
        lpad(cast(supplier_prefecture as varchar), 2, '0') as prefecture_code,
        coalesce(sum(amount_jpy) filter (where within_prefecture), 0) as inside,
        coalesce(sum(amount_jpy) filter (where not within_prefecture), 0) as outside
    from checked_transactions
    where fiscal_year = $fiscal_year and reason is null
    group by supplier_prefecture
),

exports as (
    select prefecture_code, sum(export_sales_jpy) as exports from firms group by prefecture_code
),

candidates as (
    select prefecture_code, count(*) as candidates, sum(sales_jpy) as sales, sum(employees) as employees
    from candidate_selection
    where fiscal_year = $fiscal_year and is_candidate
    group by prefecture_code
)

select kpis.prefecture_code, kpis.in_prefecture_transactions_jpy, transactions.inside,
    kpis.out_of_prefecture_firm_sales_jpy, transactions.outside, kpis.candidates, candidates.candidates
from prefecture_kpis as kpis
left join transactions using (prefecture_code)
left join exports using (prefecture_code)
left join candidates using (prefecture_code)
where kpis.fiscal_year = $fiscal_year
    and (
        kpis.in_prefecture_transactions_jpy <> coalesce(transactions.inside, 0)
        or kpis.out_of_prefecture_firm_sales_jpy <> coalesce(transactions.outside, 0)
        or kpis.export_sales_jpy <> coalesce(exports.exports, 0)
        or kpis.candidates <> coalesce(candidates.candidates, 0)
        or kpis.candidate_sales_jpy <> coalesce(candidates.sales, 0)
        or kpis.candidate_employees <> coalesce(candidates.employees, 0)
    )
order by kpis.prefecture_code
