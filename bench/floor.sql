-- (b) The floor: connector and hub degree of every firm (contract §3) in one DuckDB statement,
-- straight from the two Parquet files, with nothing else (no checks, no quarantine, no ranks).
-- {firms}, {transactions} and {out} are replaced with quoted paths by the runner (bench/__init__.py).
copy (
    with firms as (
        select
            corporate_number,
            prefecture_code,
            coalesce(export_sales_jpy, 0) as export_sales_jpy
        from read_parquet({firms})
    ),

    flows as (
        select
            t.supplier_corporate_number,
            t.customer_corporate_number,
            t.amount_jpy,
            s.prefecture_code = c.prefecture_code as within_prefecture
        from read_parquet({transactions}) as t
        join firms as s on s.corporate_number = t.supplier_corporate_number
        join firms as c on c.corporate_number = t.customer_corporate_number
    ),

    sales as (
        select supplier_corporate_number as corporate_number, cast(sum(amount_jpy) as bigint) as jpy
        from flows
        where not within_prefecture
        group by all
    ),

    purchases as (
        select customer_corporate_number as corporate_number, cast(sum(amount_jpy) as bigint) as jpy
        from flows
        where within_prefecture
        group by all
    ),

    per_firm as (
        select
            firms.corporate_number,
            firms.prefecture_code,
            coalesce(sales.jpy, 0) + firms.export_sales_jpy as out_of_prefecture_sales_jpy,
            coalesce(purchases.jpy, 0) as in_prefecture_purchases_jpy
        from firms
        left join sales using (corporate_number)
        left join purchases using (corporate_number)
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
