create table if not exists firm_indicators (
    fiscal_year integer,
    firm_id varchar,
    prefecture_code varchar,
    in_prefecture_procurement_share double,
    top_customer_share double,
    customer_hhi double,
    in_prefecture_customers bigint,
    out_of_prefecture_customers bigint,
    in_prefecture_suppliers bigint,
    out_of_prefecture_suppliers bigint
);
