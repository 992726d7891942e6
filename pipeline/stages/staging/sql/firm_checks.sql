-- Every raw firm row, normalised, with the first contract §2 reason it meets (null = staged).
-- Reads the temp view raw_firms: row_number plus the file's contract columns.
with raw_rows as (
    select
        -- Codes from a Parquet float column lose their '.0' here, once (cell_text).
        row_number, cell_text(corporate_number) as corporate_number, cast(name as varchar) as name,
        coalesce(has_control_characters(cast(name as varchar)), false) as name_controls_replaced,
        cell_text(prefecture_code) as prefecture_code, jsic_division,
        sales_jpy, employees, capital_jpy, export_sales_jpy, cell_text(jsic_major) as jsic_major,
        operating_profit_jpy_y0, operating_profit_jpy_y1, operating_profit_jpy_y2,
        employees_y0, employees_y1, employees_y2, average_wage_jpy,
        cell_text(vendor_code) as vendor_code, cast(legal_form as varchar) as legal_form
    from raw_firms
),

normalised as (
    select
        row_number,
        nullif(ascii_text(corporate_number), '') as corporate_number,
        -- The vendor's own firm code (text, full-width characters read as ASCII); the key of a 個人.
        nullif(ascii_text(vendor_code), '') as vendor_code,
        -- Empty means 法人; anything but 法人 or 個人 is invalid_legal_form, never guessed.
        coalesce(nullif(trim(legal_form), ''), '法人') as legal_form,
        -- Never a quarantine reason: control characters become spaces, and the row says so.
        case when name_controls_replaced then without_control_characters(name) else name end as name,
        name_controls_replaced,
        parse_prefecture(prefecture_code) as prefecture_code,
        case
            when regexp_full_match(ascii_text(jsic_division), '[A-T]') then ascii_text(jsic_division)
        end as jsic_division,
        parse_integer(sales_jpy) as sales_jpy,
        parse_integer(employees) as employees,
        not is_blank(capital_jpy) as has_capital,
        parse_integer(capital_jpy) as capital_jpy,
        not is_blank(export_sales_jpy) as has_export_sales,
        parse_integer(export_sales_jpy) as export_sales_jpy,
        -- Optional and never a quarantine reason: JSIC 中分類 (2 digits; 1 digit gets its
        -- leading zero back), or a 小分類 / 細分類 (3–4 digits) that settles the cabinet
        -- order's exceptions. Anything else is kept as written for the size class to name.
        case
            when regexp_full_match(ascii_text(jsic_major), '[0-9]') then '0' || ascii_text(jsic_major)
            else nullif(ascii_text(jsic_major), '')
        end as jsic_major,
        -- The composite score's multi-year columns: optional, but a value that is there must be an integer
        -- (operating profit may be a loss; employees may not be negative).
        not is_blank(operating_profit_jpy_y0) as has_profit_y0,
        not is_blank(operating_profit_jpy_y1) as has_profit_y1,
        not is_blank(operating_profit_jpy_y2) as has_profit_y2,
        not is_blank(employees_y0) as has_employees_y0,
        not is_blank(employees_y1) as has_employees_y1,
        not is_blank(employees_y2) as has_employees_y2,
        parse_signed_integer(operating_profit_jpy_y0) as operating_profit_jpy_y0,
        parse_signed_integer(operating_profit_jpy_y1) as operating_profit_jpy_y1,
        parse_signed_integer(operating_profit_jpy_y2) as operating_profit_jpy_y2,
        parse_integer(employees_y0) as employees_y0,
        parse_integer(employees_y1) as employees_y1,
        parse_integer(employees_y2) as employees_y2,
        -- The plans' average wage (賃上げ KPI): optional, but a value that is there must be an integer ≥ 0.
        not is_blank(average_wage_jpy) as has_average_wage,
        parse_integer(average_wage_jpy) as average_wage_jpy
    from raw_rows
),

numbered as (
    select
        *,
        case
            -- A 個人 (sole proprietor) has no 法人番号 and is keyed by its vendor code; a number that
            -- is there must still be valid, whatever the legal form.
            when corporate_number is null and legal_form = '個人' and vendor_code is not null then null
            when not is_corporate_number(corporate_number) then 'invalid_corporate_number'
        end as number_reason
    from normalised
),

-- Vendor codes given more than once: a grouping of the few rows with a code is cheaper than a
-- window over every row and all its columns.
repeated_codes as (
    select vendor_code, true as repeated
    from numbered
    where vendor_code is not null
    group by vendor_code
    having count(*) > 1
),

checked as (
    select
        numbered.*,
        case
            when number_reason is not null then number_reason
            when corporate_number is not null and count(*) over (partition by corporate_number) > 1
                then 'duplicate_firm'
            when repeated_codes.repeated then 'duplicate_firm'
            when legal_form not in ('法人', '個人') then 'invalid_legal_form'
            when prefecture_code is null then 'invalid_prefecture'
            when jsic_division is null then 'invalid_industry'
            when sales_jpy is null or employees is null then 'invalid_number'
            when has_capital and capital_jpy is null then 'invalid_number'
            when (has_profit_y0 and operating_profit_jpy_y0 is null)
                or (has_profit_y1 and operating_profit_jpy_y1 is null)
                or (has_profit_y2 and operating_profit_jpy_y2 is null)
                or (has_employees_y0 and employees_y0 is null)
                or (has_employees_y1 and employees_y1 is null)
                or (has_employees_y2 and employees_y2 is null)
                or (has_average_wage and average_wage_jpy is null)
                then 'invalid_number'
            when has_export_sales
                and (export_sales_jpy is null or export_sales_jpy > sales_jpy)
                then 'invalid_export_sales'
        end as reason
    from numbered
    left join repeated_codes using (vendor_code)
)

select
    $fiscal_year as fiscal_year,
    row_number,
    corporate_number,
    name,
    prefecture_code,
    jsic_division,
    sales_jpy,
    employees,
    capital_jpy,
    export_sales_jpy,
    jsic_major,
    operating_profit_jpy_y0,
    operating_profit_jpy_y1,
    operating_profit_jpy_y2,
    employees_y0,
    employees_y1,
    employees_y2,
    average_wage_jpy,
    $source_file as source_file,
    reason,
    name_controls_replaced,
    vendor_code,
    legal_form,
    prefecture_code as vendor_prefecture_code,
    'vendor' as prefecture_source
from checked
