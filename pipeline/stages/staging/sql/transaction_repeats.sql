-- Repeats and conflicts (contract §2) among the year's rows that passed every other check:
-- a later row repeating a pair and its amount is a duplicate_row; a pair seen with different
-- amounts is a conflicting_pair; an empty amount (to be estimated) counts as a value
-- of its own, so a pair listed with and without an amount conflicts. Grouping on the two
-- integer keys is the cheap way to find the few repeated pairs.
update checked_transactions as checked
set reason = repeats.reason
from (
    with passed as (
        select
            row_number,
            amount_jpy,
            supplier_key,
            customer_key
        from checked_transactions
        where fiscal_year = $fiscal_year and reason is null
    ),

    repeated_pairs as (
        select supplier_key, customer_key
        from passed
        group by supplier_key, customer_key
        having count(*) > 1
    )

    select
        row_number,
        case
            when row_number() over same_amount > 1
                then 'duplicate_row'
            when min(coalesce(amount_jpy, -1)) over same_pair
                <> max(coalesce(amount_jpy, -1)) over same_pair
                then 'conflicting_pair'
        end as reason
    from passed
    semi join repeated_pairs using (supplier_key, customer_key)
    window
        same_pair as (partition by supplier_key, customer_key),
        same_amount as (partition by supplier_key, customer_key, amount_jpy order by row_number)
) as repeats
where checked.fiscal_year = $fiscal_year
    and checked.row_number = repeats.row_number
    and repeats.reason is not null
