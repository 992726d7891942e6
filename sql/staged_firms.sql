-- Firms that passed every check of contract §2; an empty export_sales_jpy means 0.
select
    $fiscal_year as fiscal_year,
    corporate_number,
    name,
    prefecture_code,
    jsic_division,
    sales_jpy,
    employees,
    capital_jpy,
    coalesce(export_sales_jpy, 0) as export_sales_jpy,
    $source_file as source_file,
    row_number
from firm_checks
where reason is null
