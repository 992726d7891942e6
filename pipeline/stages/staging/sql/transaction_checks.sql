-- Every raw transaction row with the first contract §2 reason it meets (null = staged), except
-- repeats and conflicts, which transaction_repeats.sql marks next among the rows left.
-- Reads the temp view raw_transactions and the year's staged firms. Firms are kept as BIGINT
-- keys (staged_firms.firm_key: the 法人番号, or minus the firms row of a 個人): integers store
-- cheaply. Each side is named by its 法人番号, or where that cell is empty by the vendor's code.
-- With $estimate_amounts (amount_mode 'estimate') an empty amount is not a fault:
-- the row is staged with amount_estimated, and estimate_amounts.sql fills it in.
with firms as (
    select corporate_number, firm_key, prefecture_code
    from staged_firms
    where fiscal_year = $fiscal_year and corporate_number is not null
),

coded_firms as (
    select vendor_code, firm_key, prefecture_code
    from staged_firms
    where fiscal_year = $fiscal_year and vendor_code is not null
),

-- Almost every number arrives exactly as staged, so it is looked up as written; only the
-- rest are normalised (full-width digits, spaces) and looked up a second time. The lookup
-- joins on the integer a number reads as (cheaper than joining 13-character strings) and
-- keeps the match only where the text is the staged number exactly.
numbers as (
    select
        row_number,
        cell_text(supplier_corporate_number) as supplier_text,
        cell_text(customer_corporate_number) as customer_text,
        cell_text(supplier_vendor_code) as supplier_code_text,
        cell_text(customer_vendor_code) as customer_code_text,
        amount_jpy
    from raw_transactions
),

looked_up as (
    select
        raw.row_number,
        raw.supplier_text,
        raw.customer_text,
        raw.supplier_code_text,
        raw.customer_code_text,
        raw.amount_jpy as amount_raw,
        parse_integer(raw.amount_jpy) as amount_jpy,
        case when supplier.corporate_number = raw.supplier_text then supplier.firm_key end as supplier_key,
        case when supplier.corporate_number = raw.supplier_text then supplier.prefecture_code end
            as supplier_prefecture_code,
        case when customer.corporate_number = raw.customer_text then customer.firm_key end as customer_key,
        case when customer.corporate_number = raw.customer_text then customer.prefecture_code end
            as customer_prefecture_code
    from numbers as raw
    left join firms as supplier on try_cast(raw.supplier_text as bigint) = supplier.firm_key
    left join firms as customer on try_cast(raw.customer_text as bigint) = customer.firm_key
),

normalised as (
    select
        *,
        case when supplier_key is null then ascii_text(supplier_text) end as supplier_normalised,
        case when customer_key is null then ascii_text(customer_text) end as customer_normalised,
        -- The vendor's code counts only where the 法人番号 cell is empty.
        case
            when supplier_key is null and coalesce(ascii_text(supplier_text), '') = ''
                then nullif(ascii_text(supplier_code_text), '')
        end as supplier_code,
        case
            when customer_key is null and coalesce(ascii_text(customer_text), '') = ''
                then nullif(ascii_text(customer_code_text), '')
        end as customer_code
    from looked_up
),

resolved as (
    select
        normalised.row_number,
        normalised.amount_jpy,
        normalised.amount_raw,
        normalised.supplier_normalised,
        normalised.customer_normalised,
        normalised.supplier_code,
        normalised.customer_code,
        coalesce(
            'vendor:' || normalised.supplier_code, normalised.supplier_normalised, normalised.supplier_text
        ) as supplier_number,
        coalesce(
            'vendor:' || normalised.customer_code, normalised.customer_normalised, normalised.customer_text
        ) as customer_number,
        coalesce(normalised.supplier_key, supplier.firm_key, supplier_coded.firm_key) as supplier_key,
        coalesce(
            normalised.supplier_prefecture_code, supplier.prefecture_code, supplier_coded.prefecture_code
        ) as supplier_prefecture_code,
        coalesce(normalised.customer_key, customer.firm_key, customer_coded.firm_key) as customer_key,
        coalesce(
            normalised.customer_prefecture_code, customer.prefecture_code, customer_coded.prefecture_code
        ) as customer_prefecture_code
    from normalised
    left join firms as supplier on normalised.supplier_normalised = supplier.corporate_number
    left join firms as customer on normalised.customer_normalised = customer.corporate_number
    left join coded_firms as supplier_coded on normalised.supplier_code = supplier_coded.vendor_code
    left join coded_firms as customer_coded on normalised.customer_code = customer_coded.vendor_code
),

screened as (
    select
        resolved.row_number,
        resolved.amount_jpy,
        resolved.supplier_key,
        resolved.customer_key,
        resolved.supplier_prefecture_code = resolved.customer_prefecture_code as within_prefecture,
        cast(resolved.supplier_prefecture_code as utinyint) as supplier_prefecture,
        cast(resolved.customer_prefecture_code as utinyint) as customer_prefecture,
        -- A number found among the staged firms is valid, so only the rest need the check digit;
        -- a side named by a vendor code has no number to check.
        case
            when resolved.supplier_key is null and resolved.supplier_code is null
                and not is_corporate_number(resolved.supplier_normalised)
                then 'invalid_corporate_number'
            when resolved.customer_key is null and resolved.customer_code is null
                and not is_corporate_number(resolved.customer_normalised)
                then 'invalid_corporate_number'
            -- The same firm on both sides, by the same name or by its number on one and its code
            -- on the other.
            when resolved.supplier_number = resolved.customer_number
                or resolved.supplier_key = resolved.customer_key
                then 'self_transaction'
            when resolved.supplier_key is null then 'unknown_supplier'
            when resolved.customer_key is null then 'unknown_customer'
            when resolved.amount_jpy <= 0 then 'invalid_amount'
            when resolved.amount_jpy is null and not ($estimate_amounts and is_blank(resolved.amount_raw))
                then 'invalid_amount'
        end as row_reason,
        resolved.amount_jpy is null as amount_missing
    from resolved
)

select
    $fiscal_year as fiscal_year,
    row_number,
    supplier_key,
    customer_key,
    amount_jpy,
    within_prefecture,
    supplier_prefecture,
    customer_prefecture,
    row_reason as reason,
    amount_missing and row_reason is null as amount_estimated
from screened
