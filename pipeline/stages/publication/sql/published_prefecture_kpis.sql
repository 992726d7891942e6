-- The KPI baselines of the year, one row per prefecture.
select *
from prefecture_kpis
where fiscal_year = $fiscal_year
order by prefecture_code
