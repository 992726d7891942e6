-- Every quarantined row of the year (contract §2), firms file first, in file order.
select source_file, row_number, reason, raw
from (
    select 1 as file_order, * from quarantined_firms where fiscal_year = $fiscal_year
    union all
    select 2 as file_order, * from quarantined_transactions where fiscal_year = $fiscal_year
)
order by file_order, row_number
