create table if not exists firm_flows (
    fiscal_year integer,
    corporate_number varchar,
    prefecture_code varchar,
    name varchar,
    jsic_division varchar,
    sales_jpy bigint,
    employees bigint,
    export_sales_jpy bigint,
    sales_to_firms_jpy bigint,
    out_of_prefecture_sales_jpy bigint,
    purchases_from_firms_jpy bigint,
    in_prefecture_purchases_jpy bigint,
    sales_squared double,
    top_customer_jpy bigint,
    in_prefecture_customers bigint,
    out_of_prefecture_customers bigint,
    in_prefecture_suppliers bigint,
    out_of_prefecture_suppliers bigint,
    -- The yen of estimated amounts in each numerator.
    estimated_out_of_prefecture_sales_jpy bigint,
    estimated_in_prefecture_purchases_jpy bigint,
    -- The firm's identity (staged_firms.firm_id) and the identity extension's columns.
    firm_id varchar,
    vendor_code varchar,
    legal_form varchar,
    -- The integer the transactions name the firm by (staged_firms.firm_key).
    firm_key bigint
);
