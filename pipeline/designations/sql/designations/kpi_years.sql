-- A plan's KPIs for every fiscal year in the warehouse, over its designated firms (temp table
-- designated_firms: firm_id, the 法人番号 or for a 個人 'vendor:' and its vendor code, as in
-- staged_firms; their transactions are found by firm_key, a 個人's negative): 域内取引額 = Σ amount of staged transactions inside the
-- plan's prefecture $prefecture_code with a designated firm on either side (a transaction between
-- two designated firms counted once); 売上額 = Σ sales_jpy; 雇用 = Σ employees; the average wage
-- weighted by employees, over the firms whose firms file gives average_wage_jpy.
with years as (
    select distinct fiscal_year from checked_firms
),

designated as (
    select staged.fiscal_year, staged.firm_key, staged.sales_jpy, staged.employees, firms.average_wage_jpy
    from staged_firms as staged
    join designated_firms using (firm_id)
    -- the average wage is in checked_firms only (the staged view leaves it out)
    join checked_firms as firms
        on firms.fiscal_year = staged.fiscal_year
        and firms.source_file = staged.source_file
        and firms.row_number = staged.row_number
),

keys as (
    select distinct fiscal_year, firm_key from designated
),

trade as (
    select t.fiscal_year, cast(sum(t.amount_jpy) as bigint) as in_region_transactions_jpy
    from checked_transactions as t
    where t.reason is null
        and t.within_prefecture
        and t.supplier_prefecture = cast($prefecture_code as utinyint)
        and (
            exists (select 1 from keys where keys.fiscal_year = t.fiscal_year and keys.firm_key = t.supplier_key)
            or exists (select 1 from keys where keys.fiscal_year = t.fiscal_year and keys.firm_key = t.customer_key)
        )
    group by t.fiscal_year
),

sizes as (
    select
        fiscal_year,
        count(*) as firms_found,
        cast(sum(sales_jpy) as bigint) as sales_jpy,
        cast(sum(employees) as bigint) as employees,
        count(average_wage_jpy) filter (where employees > 0) as firms_with_wage,
        sum(cast(average_wage_jpy as hugeint) * employees) filter (where employees > 0) as wage_bill,
        sum(employees) filter (where average_wage_jpy is not null and employees > 0) as wage_employees
    from designated
    group by fiscal_year
)

select
    years.fiscal_year,
    (select count(*) from designated_firms) as designated_firms,
    coalesce(sizes.firms_found, 0) as firms_found,
    -- A year in which no designated firm is staged has no figures (null), not zeros.
    case when sizes.firms_found is not null then coalesce(trade.in_region_transactions_jpy, 0) end
        as in_region_transactions_jpy,
    sizes.sales_jpy,
    sizes.employees,
    coalesce(sizes.firms_with_wage, 0) as firms_with_wage,
    -- Rounded to the yen, from exact integer sums, so the figure is the same on any machine.
    cast(round(sizes.wage_bill / sizes.wage_employees) as bigint) as average_wage_jpy
from years
left join sizes using (fiscal_year)
left join trade using (fiscal_year)
order by years.fiscal_year
