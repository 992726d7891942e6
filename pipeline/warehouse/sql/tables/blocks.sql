create table if not exists blocks (
    block_code varchar,
    block_name varchar,
    block_order integer,
    prefecture_code varchar
);
