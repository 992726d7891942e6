-- Transaction rows that failed a check, with their reason and raw values.
select
    $fiscal_year as fiscal_year,
    $source_file as source_file,
    row_number,
    reason,
    raw,
    amount_jpy as yen
from transaction_checks
where reason is not null
