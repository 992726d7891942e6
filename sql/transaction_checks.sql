-- Every raw transaction row, normalised, with the first contract §2 reason it meets (null = staged).
-- Reads the temp view raw_transactions and the year's staged_firms.
with raw_rows as (
    select row_number, supplier_corporate_number, customer_corporate_number, amount_jpy
    from raw_transactions
),

firms as (
    select corporate_number, prefecture_code
    from staged_firms
    where fiscal_year = $fiscal_year
),

normalised as (
    select
        row_number,
        ascii_text(supplier_corporate_number) as supplier_corporate_number,
        ascii_text(customer_corporate_number) as customer_corporate_number,
        parse_integer(amount_jpy) as amount_jpy
    from raw_rows
),

screened as (
    select
        normalised.*,
        supplier.prefecture_code as supplier_prefecture_code,
        customer.prefecture_code as customer_prefecture_code,
        -- A number found among the staged firms is valid, so only the rest need the check digit.
        case
            when supplier.prefecture_code is null
                and not is_corporate_number(normalised.supplier_corporate_number)
                then 'invalid_corporate_number'
            when customer.prefecture_code is null
                and not is_corporate_number(normalised.customer_corporate_number)
                then 'invalid_corporate_number'
            when normalised.supplier_corporate_number = normalised.customer_corporate_number
                then 'self_transaction'
            when supplier.prefecture_code is null then 'unknown_supplier'
            when customer.prefecture_code is null then 'unknown_customer'
            when normalised.amount_jpy is null or normalised.amount_jpy <= 0 then 'invalid_amount'
        end as row_reason
    from normalised
    left join firms as supplier
        on normalised.supplier_corporate_number = supplier.corporate_number
    left join firms as customer
        on normalised.customer_corporate_number = customer.corporate_number
),

-- Repeats and conflicts need a pair seen more than once among rows that passed so far.
-- Grouping on a hash is cheap; a collision only sends a few more rows to the exact test.
repeated_pairs as (
    select hash(supplier_corporate_number, customer_corporate_number) as pair_key
    from screened
    where row_reason is null
    group by pair_key
    having count(*) > 1
),

repeats as (
    select
        row_number,
        case
            when row_number() over (
                partition by supplier_corporate_number, customer_corporate_number, amount_jpy
                order by row_number
            ) > 1 then 'duplicate_row'
            when min(amount_jpy) over pair <> max(amount_jpy) over pair then 'conflicting_pair'
        end as repeat_reason
    from screened
    where row_reason is null
        and hash(supplier_corporate_number, customer_corporate_number) in (
            select pair_key from repeated_pairs
        )
    window pair as (partition by supplier_corporate_number, customer_corporate_number)
)

select
    $fiscal_year as fiscal_year,
    screened.row_number,
    screened.supplier_corporate_number,
    screened.customer_corporate_number,
    screened.amount_jpy,
    screened.supplier_prefecture_code,
    screened.customer_prefecture_code,
    $source_file as source_file,
    coalesce(screened.row_reason, repeats.repeat_reason) as reason
from screened
left join repeats using (row_number)
