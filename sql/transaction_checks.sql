-- Every raw transaction row, normalised, with the first contract §2 reason it meets.
-- Reads the temp view raw_transactions and the year's staged_firms.
with raw_rows as (
    select * from raw_transactions
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
        parse_integer(amount_jpy) as amount_jpy,
        to_json(struct_pack(
            supplier_corporate_number, customer_corporate_number, amount_jpy
        )) as raw
    from raw_rows
),

with_firms as (
    select
        normalised.*,
        supplier.prefecture_code as supplier_prefecture_code,
        customer.prefecture_code as customer_prefecture_code,
        -- only rows that pass every earlier check take part in duplicate and conflict tests
        case
            when is_corporate_number(normalised.supplier_corporate_number)
                and is_corporate_number(normalised.customer_corporate_number)
                and normalised.supplier_corporate_number <> normalised.customer_corporate_number
                and supplier.corporate_number is not null
                and customer.corporate_number is not null
                and normalised.amount_jpy > 0
                then normalised.amount_jpy
        end as comparable_amount_jpy
    from normalised
    left join firms as supplier
        on normalised.supplier_corporate_number = supplier.corporate_number
    left join firms as customer
        on normalised.customer_corporate_number = customer.corporate_number
),

checked as (
    select
        *,
        case
            when not is_corporate_number(supplier_corporate_number)
                or not is_corporate_number(customer_corporate_number)
                then 'invalid_corporate_number'
            when supplier_corporate_number = customer_corporate_number then 'self_transaction'
            when supplier_prefecture_code is null then 'unknown_supplier'
            when customer_prefecture_code is null then 'unknown_customer'
            when amount_jpy is null or amount_jpy <= 0 then 'invalid_amount'
            when row_number() over (
                partition by supplier_corporate_number, customer_corporate_number, comparable_amount_jpy
                order by row_number
            ) > 1 then 'duplicate_row'
            when min(comparable_amount_jpy) over pair <> max(comparable_amount_jpy) over pair
                then 'conflicting_pair'
        end as reason
    from with_firms
    window pair as (partition by supplier_corporate_number, customer_corporate_number)
)

select * from checked
