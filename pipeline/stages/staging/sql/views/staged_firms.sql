create or replace view staged_firms as
select
    fiscal_year, corporate_number, name, prefecture_code, jsic_division, sales_jpy, employees,
    capital_jpy, coalesce(export_sales_jpy, 0) as export_sales_jpy, source_file, row_number,
    jsic_major, operating_profit_jpy_y0, operating_profit_jpy_y1, operating_profit_jpy_y2,
    employees_y0, employees_y1, employees_y2
from checked_firms
where reason is null;
