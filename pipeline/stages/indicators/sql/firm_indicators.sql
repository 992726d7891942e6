-- The plans' requirement indicators per staged firm, from the aggregates that
-- firm_flows makes in its one pass over the transactions:
-- in_prefecture_procurement_share = in-prefecture purchases ÷ all purchases from firms;
-- top_customer_share = the largest customer's amount ÷ the firm's domestic sales, that is
--   sales_jpy − export_sales_jpy, or its sales to firms in the data where those are larger;
-- customer_hhi = Σ (amount to a customer ÷ sales to all customers)²;
-- and the counts of customers and suppliers inside and outside the firm's prefecture.
-- A share whose denominator is 0 is null.
select
    fiscal_year,
    firm_id,
    prefecture_code,
    cast(in_prefecture_purchases_jpy as double)
        / cast(nullif(purchases_from_firms_jpy, 0) as double) as in_prefecture_procurement_share,
    cast(top_customer_jpy as double)
        / cast(nullif(greatest(sales_jpy - export_sales_jpy, sales_to_firms_jpy), 0) as double)
        as top_customer_share,
    sales_squared
        / (cast(nullif(sales_to_firms_jpy, 0) as double) * cast(sales_to_firms_jpy as double))
        as customer_hhi,
    in_prefecture_customers,
    out_of_prefecture_customers,
    in_prefecture_suppliers,
    out_of_prefecture_suppliers
from firm_flows
where fiscal_year = $fiscal_year
