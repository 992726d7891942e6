-- Contract §3 for every staged firm of the assessed firm's prefecture p, over the adjusted
-- network: the year's staged transactions without any row of the assessed firm, plus its
-- evidence rows (assess_counterparties: sale = the firm supplies, purchase = it buys). The
-- degrees come from the macros the pipeline uses (contract_degrees.sql).
-- Only rows with a supplier or a customer in p matter; they are found by the 1-byte prefecture
-- codes and the BIGINT firm keys of checked_transactions, never by text.
-- Denominators cover the staged firms of p only (contract §3): a counterparty that is not a
-- staged firm counts in the assessed firm's own numerators (and so, through them, in the
-- denominators), never with flows of its own. Exports stay as staged (export_sales_jpy).
create or replace temp table assess_degrees as
with firms as (
    -- Every staged firm of p by its key, 個人 included (staged_firms.firm_key).
    select
        firm_key,
        firm_id,
        corporate_number,
        prefecture_code,
        name,
        sales_jpy,
        employees,
        export_sales_jpy
    from staged_firms
    where fiscal_year = $fiscal_year and prefecture_code = $prefecture_code
),

vendor as (
    select supplier_key, customer_key, supplier_prefecture, customer_prefecture, amount_jpy, amount_estimated
    from checked_transactions
    where fiscal_year = $fiscal_year
        and reason is null
        and (supplier_prefecture = $prefecture or customer_prefecture = $prefecture)
        and supplier_key <> $firm_key
        and customer_key <> $firm_key
),

evidence as (
    select
        case when direction = 'sale' then $firm_key else counterparty_key end as supplier_key,
        case when direction = 'sale' then counterparty_key else $firm_key end as customer_key,
        case when direction = 'sale' then $prefecture else prefecture end as supplier_prefecture,
        case when direction = 'sale' then prefecture else $prefecture end as customer_prefecture,
        amount_jpy,
        false as amount_estimated
    from assess_counterparties
),

network as (
    select
        supplier_key,
        customer_key,
        amount_jpy,
        supplier_prefecture = customer_prefecture as within_prefecture,
        amount_estimated
    from (select * from vendor union all by name select * from evidence)
),

flows as (
    select
        firms.firm_key,
        firms.firm_id,
        firms.corporate_number,
        firms.prefecture_code,
        firms.name,
        firms.sales_jpy,
        firms.employees,
        out_of_prefecture_sales(sales.out_of_prefecture_firm_sales_jpy, firms.export_sales_jpy)
            as out_of_prefecture_sales_jpy,
        coalesce(purchases.in_prefecture_purchases_jpy, 0) as in_prefecture_purchases_jpy
    from firms
    left join firm_sales(network) as sales using (firm_key)
    left join firm_purchases(network) as purchases using (firm_key)
)

select *, count(*) over () as prefecture_firms
from firm_degrees_of(flows)
