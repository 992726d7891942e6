-- Transactions that passed every check, with both parties' prefectures for the flows.
select
    $fiscal_year as fiscal_year,
    supplier_corporate_number,
    customer_corporate_number,
    amount_jpy,
    supplier_prefecture_code,
    customer_prefecture_code,
    $source_file as source_file,
    row_number
from transaction_checks
where reason is null
