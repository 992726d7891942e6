-- The KPI report of a plan, one row per KPI and fiscal year (temp table kpi_years), against the
-- baseline year $baseline_year and the targets (temp table targets: name, target, year). 賃上げ
-- is the employee-weighted average wage; its change and its target are in percent of the
-- baseline year's average. A target year the warehouse does not hold, or a year without the
-- figure, is 'no data'.
with long as (
    select 1 as position, '域内取引額' as kpi, 'JPY' as unit, fiscal_year,
           cast(in_region_transactions_jpy as double) as value from kpi_years
    union all
    select 2, '売上額', 'JPY', fiscal_year, cast(sales_jpy as double) from kpi_years
    union all
    select 3, '雇用', 'persons', fiscal_year, cast(employees as double) from kpi_years
    union all
    select 4, '賃上げ', 'JPY average wage', fiscal_year, cast(average_wage_jpy as double) from kpi_years
),

rows as (
    select
        coalesce(long.position, case targets.name when '域内取引額' then 1 when '売上額' then 2
                                                 when '雇用' then 3 else 4 end) as position,
        coalesce(long.kpi, targets.name) as kpi,
        coalesce(long.unit, case targets.name when '雇用' then 'persons' when '賃上げ' then 'JPY average wage'
                                             else 'JPY' end) as unit,
        coalesce(long.fiscal_year, targets.year) as fiscal_year,
        long.value,
        targets.target,
        targets.year as target_year
    from long
    full outer join targets on targets.name = long.kpi and targets.year = long.fiscal_year
),

baseline as (
    select kpi, value as baseline_value from long where fiscal_year = $baseline_year
),

changes as (
    select
        rows.*,
        cast($baseline_year as integer) as baseline_year,
        baseline.baseline_value,
        case
            when rows.kpi = '賃上げ' then round((rows.value / baseline.baseline_value - 1) * 100, 2)
            else rows.value - baseline.baseline_value
        end as change_from_baseline,
        case
            when rows.kpi = '賃上げ' then round(
                (rows.value / lag(rows.value) over (partition by rows.kpi order by rows.fiscal_year) - 1) * 100, 2
            )
            else rows.value - lag(rows.value) over (partition by rows.kpi order by rows.fiscal_year)
        end as change_from_previous_year
    from rows
    left join baseline using (kpi)
)

select
    kpi, unit, fiscal_year, value, baseline_year, baseline_value, change_from_baseline,
    change_from_previous_year, target, target_year,
    case
        when target is null then null
        when value is null or (kpi = '賃上げ' and baseline_value is null) then 'no data'
        when kpi = '賃上げ' and change_from_baseline >= target then 'met'
        when kpi <> '賃上げ' and value >= target then 'met'
        else 'not met'
    end as verdict
from changes
order by position, fiscal_year
