-- Repeats and conflicts (contract §2) among the year's rows that passed every other check:
-- a later row repeating a pair and its amount is a duplicate_row; a pair seen with different
-- amounts is a conflicting_pair; an empty amount (to be estimated, issue 8) counts as a value
-- of its own, so a pair listed with and without an amount conflicts. Grouping on one exact
-- HUGEINT per pair (customer key < 10^13) is the cheap way to find the few repeated pairs.
update checked_transactions as checked
set reason = repeats.reason
from (
    with passed as (
        select
            row_number,
            amount_jpy,
            cast(supplier_key as hugeint) * 10000000000000 + customer_key as pair
        from checked_transactions
        where fiscal_year = $fiscal_year and reason is null
    ),

    repeated_pairs as (
        select pair
        from passed
        group by pair
        having count(*) > 1
    )

    select
        row_number,
        case
            when row_number() over (partition by pair, amount_jpy order by row_number) > 1
                then 'duplicate_row'
            when min(coalesce(amount_jpy, -1)) over same_pair
                <> max(coalesce(amount_jpy, -1)) over same_pair
                then 'conflicting_pair'
        end as reason
    from passed
    where pair in (select pair from repeated_pairs)
    window same_pair as (partition by pair)
) as repeats
where checked.fiscal_year = $fiscal_year
    and checked.row_number = repeats.row_number
    and repeats.reason is not null
