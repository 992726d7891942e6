-- (b) The floor: connector and hub degree of every firm (contract §3) in one DuckDB statement,
-- straight from the two Parquet files, with nothing else (no checks, no quarantine, no ranks).
-- {firms}, {transactions} and {out} are replaced with quoted paths by the runner (bench/__init__.py).
-- A firm is its 法人番号, or a 個人 (no number) its vendor code, on both sides of a transaction.
copy (
    with firms as (
        select
            coalesce(corporate_number, 'vendor:' || vendor_code) as firm_id,
            corporate_number,
            vendor_code,
            prefecture_code,
            coalesce(export_sales_jpy, 0) as export_sales_jpy
        from read_parquet({firms})
    ),

    flows as (
        select
            t.supplier_id,
            t.customer_id,
            t.amount_jpy,
            s.prefecture_code = c.prefecture_code as within_prefecture
        from (
            select
                coalesce(supplier_corporate_number, 'vendor:' || supplier_vendor_code) as supplier_id,
                coalesce(customer_corporate_number, 'vendor:' || customer_vendor_code) as customer_id,
                amount_jpy
            from read_parquet({transactions})
        ) as t
        join firms as s on s.firm_id = t.supplier_id
        join firms as c on c.firm_id = t.customer_id
    ),

    sales as (
        select supplier_id as firm_id, cast(sum(amount_jpy) as bigint) as jpy
        from flows
        where not within_prefecture
        group by all
    ),

    purchases as (
        select customer_id as firm_id, cast(sum(amount_jpy) as bigint) as jpy
        from flows
        where within_prefecture
        group by all
    ),

    per_firm as (
        select
            firms.firm_id,
            firms.corporate_number,
            firms.vendor_code,
            firms.prefecture_code,
            coalesce(sales.jpy, 0) + firms.export_sales_jpy as out_of_prefecture_sales_jpy,
            coalesce(purchases.jpy, 0) as in_prefecture_purchases_jpy
        from firms
        left join sales using (firm_id)
        left join purchases using (firm_id)
    ),

    totals as (
        select
            prefecture_code,
            sum(out_of_prefecture_sales_jpy) as out_total,
            sum(in_prefecture_purchases_jpy) as in_total
        from per_firm
        group by all
    )

    select
        per_firm.corporate_number,
        per_firm.vendor_code,
        per_firm.prefecture_code,
        per_firm.out_of_prefecture_sales_jpy,
        per_firm.in_prefecture_purchases_jpy,
        cast(per_firm.out_of_prefecture_sales_jpy as double)
        / cast(nullif(totals.out_total, 0) as double) as connector_degree,
        cast(per_firm.in_prefecture_purchases_jpy as double)
        / cast(nullif(totals.in_total, 0) as double) as hub_degree
    from per_firm
    join totals using (prefecture_code)
) to {out} (format parquet)
