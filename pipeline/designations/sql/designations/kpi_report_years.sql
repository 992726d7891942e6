-- The plan's figures per fiscal year, as kpi_years.sql computed them (temp table kpi_years).
select * from kpi_years order by fiscal_year
