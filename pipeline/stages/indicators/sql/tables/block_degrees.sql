create table if not exists block_degrees (
    fiscal_year integer,
    block_code varchar,
    block_name varchar,
    block_order integer,
    prefecture_code varchar,
    firm_id varchar,
    out_of_block_sales_jpy bigint,
    in_block_purchases_jpy bigint,
    block_connector_degree double,
    block_hub_degree double,
    block_connector_rank bigint,
    block_hub_rank bigint
);
