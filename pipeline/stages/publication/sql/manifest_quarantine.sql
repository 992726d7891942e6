-- Quarantined rows per input file and reason for one fiscal year.
select source_file, reason, count(*) as rows
from (
    select source_file, reason from quarantined_firms where fiscal_year = $fiscal_year
    union all
    select source_file, reason from quarantined_transactions where fiscal_year = $fiscal_year
)
group by all
order by source_file, rows desc, reason
