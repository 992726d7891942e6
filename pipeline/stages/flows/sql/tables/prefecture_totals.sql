create table if not exists prefecture_totals (
    fiscal_year integer,
    prefecture_code varchar,
    prefecture_name varchar,
    firms bigint,
    sales_jpy hugeint,
    export_sales_jpy hugeint,
    out_of_prefecture_sales_jpy hugeint,
    in_prefecture_purchases_jpy hugeint,
    estimated_out_of_prefecture_sales_jpy hugeint,
    estimated_in_prefecture_purchases_jpy hugeint
);
