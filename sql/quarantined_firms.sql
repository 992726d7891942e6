-- Firm rows that failed a check, with their reason and raw values; yen is the parsed sales.
select
    $fiscal_year as fiscal_year,
    $source_file as source_file,
    row_number,
    reason,
    raw,
    sales_jpy as yen
from firm_checks
where reason is not null
