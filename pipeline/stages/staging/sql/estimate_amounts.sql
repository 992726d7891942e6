-- With amount_mode 'estimate', each staged row without an amount gets an estimate. A
-- supplier's domestic sales (sales_jpy − export_sales_jpy), less the amounts its rows state,
-- are apportioned over its customers without an amount in proportion to customer sales^β.
-- Exact integers throughout, so the estimates are never negative, add up to the remainder to
-- the yen and come out the same on any machine: the weights are the customers' sales for β = 1,
-- otherwise (sales / the supplier's reference customer)^β scaled to 2^40 and rounded (the
-- reference is the largest customer for β > 0, the smallest with sales for β < 0, so no weight
-- overflows); in 法人番号 order each row gets the step of remainder × cumulative weight ÷ total
-- weight, floored. A customer without sales weighs 0 (1 for β = 0); where every weight is 0 the
-- remainder is split equally. Stated amounts are never touched. A supplier whose stated amounts
-- already reach its domestic sales has nothing left: its estimates are 0 yen.
update checked_transactions as checked
set amount_jpy = estimates.amount_jpy
from (
    with firms as (
        select
            firm_key,
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

    customers as (
        select
            staged.row_number,
            staged.supplier_key,
            staged.customer_key,
            remainders.remainder_jpy,
            customer.sales_jpy,
            max(customer.sales_jpy) over supplier as largest_sales_jpy,
            min(customer.sales_jpy) filter (where customer.sales_jpy > 0) over supplier as smallest_sales_jpy
        from staged
        join remainders using (supplier_key)
        join firms as customer on customer.firm_key = staged.customer_key
        where staged.amount_estimated
        window supplier as (partition by staged.supplier_key)
    ),

    sized as (
        select
            *,
            case
                when $estimate_beta = 1 then cast(sales_jpy as hugeint)
                when sales_jpy = 0 then case when $estimate_beta = 0 then 1099511627776 else 0 end
                else cast(round(1099511627776 * exp($estimate_beta * (
                    ln(sales_jpy)
                    - ln(case when $estimate_beta > 0 then largest_sales_jpy else smallest_sales_jpy end)
                ))) as hugeint)
            end as size_weight
        from customers
    ),

    weights as (
        select
            *,
            case when sum(size_weight) over supplier > 0 then size_weight else 1 end as weight
        from sized
        window supplier as (partition by supplier_key)
    ),

    cumulative as (
        select
            row_number,
            supplier_key,
            customer_key,
            remainder_jpy * sum(weight) over ordered // sum(weight) over supplier as cumulative_jpy
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
        cast(cumulative_jpy - coalesce(
            lag(cumulative_jpy) over (partition by supplier_key order by customer_key), 0
        ) as bigint) as amount_jpy
    from cumulative
) as estimates
where checked.fiscal_year = $fiscal_year
    and checked.row_number = estimates.row_number
    and checked.amount_estimated
