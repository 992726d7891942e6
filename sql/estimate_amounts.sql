-- Issue 8, amount_mode 'estimate': each staged row without an amount gets an estimate. A
-- supplier's domestic sales (sales_jpy − export_sales_jpy), less the amounts its rows state,
-- are apportioned over its customers without an amount in proportion to customer sales^β
-- (equally when every such weight is 0). Yen are whole: each row gets the step of the floored
-- cumulative share, in customer order, so the estimates add up to the remainder exactly.
-- Stated amounts are never touched. A supplier whose stated amounts already reach its
-- domestic sales has nothing left: its estimates are 0 yen (reported by the staging asset).
update checked_transactions as checked
set amount_jpy = estimates.amount_jpy
from (
    with firms as (
        select
            cast(corporate_number as bigint) as firm_key,
            sales_jpy,
            sales_jpy - export_sales_jpy as domestic_sales_jpy
        from staged_firms
        where fiscal_year = $fiscal_year
    ),

    staged as (
        select row_number, supplier_key, customer_key, amount_jpy, amount_estimated
        from checked_transactions
        where fiscal_year = $fiscal_year and reason is null
    ),

    remainders as (
        select
            staged.supplier_key,
            greatest(
                any_value(firms.domestic_sales_jpy)
                - coalesce(sum(staged.amount_jpy) filter (where not staged.amount_estimated), 0),
                0
            ) as remainder_jpy
        from staged
        join firms on firms.firm_key = staged.supplier_key
        group by staged.supplier_key
        having bool_or(staged.amount_estimated)
    ),

    weighted as (
        select
            staged.row_number,
            staged.supplier_key,
            staged.customer_key,
            remainders.remainder_jpy,
            pow(cast(customer.sales_jpy as double), $estimate_beta) as size_weight
        from staged
        join remainders using (supplier_key)
        join firms as customer on customer.firm_key = staged.customer_key
        where staged.amount_estimated
    ),

    weights as (
        select
            *,
            -- 0^β for β ≤ 0 is not a size; every weight 0 means no size to go by.
            case
                when sum(size_weight) over supplier > 0 and isfinite(sum(size_weight) over supplier)
                    then size_weight
                else 1
            end as weight
        from weighted
        window supplier as (partition by supplier_key)
    ),

    cumulative as (
        select
            row_number,
            supplier_key,
            customer_key,
            case
                when row_number() over ordered = count(*) over supplier then remainder_jpy
                else least(
                    remainder_jpy,
                    cast(floor(remainder_jpy * (sum(weight) over ordered / sum(weight) over supplier))
                        as bigint)
                )
            end as cumulative_jpy
        from weights
        window
            supplier as (partition by supplier_key),
            ordered as (
                partition by supplier_key order by customer_key
                rows between unbounded preceding and current row
            )
    )

    select
        row_number,
        cumulative_jpy - coalesce(
            lag(cumulative_jpy) over (partition by supplier_key order by customer_key), 0
        ) as amount_jpy
    from cumulative
) as estimates
where checked.fiscal_year = $fiscal_year
    and checked.row_number = estimates.row_number
    and checked.amount_estimated
