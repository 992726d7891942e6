create table if not exists firm_degrees (
    fiscal_year integer,
    prefecture_code varchar,
    corporate_number varchar,
    name varchar,
    jsic_division varchar,
    sales_jpy bigint,
    employees bigint,
    out_of_prefecture_sales_jpy bigint,
    in_prefecture_purchases_jpy bigint,
    connector_degree double,
    hub_degree double,
    connector_rank bigint,
    hub_rank bigint,
    -- The firm's identity (staged_firms.firm_id) and the identity extension's columns.
    firm_id varchar,
    vendor_code varchar,
    legal_form varchar
);
