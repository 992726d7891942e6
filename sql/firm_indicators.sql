-- The plans' requirement indicators per staged firm (issue 7), from firm_prefecture_flows:
-- in_prefecture_procurement_share = in-prefecture purchases ÷ all purchases from firms;
-- top_customer_share = the largest customer's amount ÷ the firm's domestic sales, that is
--   sales_jpy − export_sales_jpy, or its sales to firms in the data where those are larger;
-- customer_hhi = Σ (amount to a customer ÷ sales to all customers)²;
-- and the counts of customers and suppliers inside and outside the firm's prefecture.
-- A share whose denominator is 0 is null.
with firms as (
    select
        corporate_number,
        cast(corporate_number as bigint) as firm_key,
        prefecture_code,
        sales_jpy - export_sales_jpy as domestic_sales_jpy
    from staged_firms
    where fiscal_year = $fiscal_year
),

per_firm as (
    select
        firms.firm_key,
        sum(flows.amount_jpy) filter (where flows.direction = 'sales') as sales_to_firms_jpy,
        sum(flows.amount_squared) filter (where flows.direction = 'sales') as sales_squared,
        max(flows.largest_amount_jpy) filter (where flows.direction = 'sales') as top_customer_jpy,
        sum(flows.amount_jpy) filter (where flows.direction = 'purchases') as purchases_jpy,
        sum(flows.amount_jpy) filter (
            where flows.direction = 'purchases' and flows.counterpart_prefecture_code = firms.prefecture_code
        ) as in_prefecture_purchases_jpy,
        sum(flows.counterparties) filter (
            where flows.direction = 'sales' and flows.counterpart_prefecture_code = firms.prefecture_code
        ) as in_prefecture_customers,
        sum(flows.counterparties) filter (
            where flows.direction = 'sales' and flows.counterpart_prefecture_code <> firms.prefecture_code
        ) as out_of_prefecture_customers,
        sum(flows.counterparties) filter (
            where flows.direction = 'purchases' and flows.counterpart_prefecture_code = firms.prefecture_code
        ) as in_prefecture_suppliers,
        sum(flows.counterparties) filter (
            where flows.direction = 'purchases' and flows.counterpart_prefecture_code <> firms.prefecture_code
        ) as out_of_prefecture_suppliers
    from firms
    join firm_prefecture_flows as flows using (firm_key)
    group by firms.firm_key
)

select
    $fiscal_year as fiscal_year,
    firms.corporate_number,
    firms.prefecture_code,
    cast(coalesce(per_firm.in_prefecture_purchases_jpy, 0) as double)
        / cast(nullif(per_firm.purchases_jpy, 0) as double) as in_prefecture_procurement_share,
    cast(per_firm.top_customer_jpy as double)
        / cast(nullif(greatest(firms.domestic_sales_jpy, per_firm.sales_to_firms_jpy), 0) as double)
        as top_customer_share,
    per_firm.sales_squared
        / (cast(nullif(per_firm.sales_to_firms_jpy, 0) as double) * cast(per_firm.sales_to_firms_jpy as double))
        as customer_hhi,
    coalesce(per_firm.in_prefecture_customers, 0) as in_prefecture_customers,
    coalesce(per_firm.out_of_prefecture_customers, 0) as out_of_prefecture_customers,
    coalesce(per_firm.in_prefecture_suppliers, 0) as in_prefecture_suppliers,
    coalesce(per_firm.out_of_prefecture_suppliers, 0) as out_of_prefecture_suppliers
from firms
left join per_firm using (firm_key)
