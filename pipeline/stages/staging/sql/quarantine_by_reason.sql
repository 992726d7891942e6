-- Quarantined rows and yen per reason, for one table and fiscal year.
select reason, count(*) as rows, coalesce(sum(yen), 0) as yen
from query_table($table)
where fiscal_year = $fiscal_year
group by reason
order by rows desc, reason
