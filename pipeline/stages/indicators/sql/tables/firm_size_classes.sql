create table if not exists firm_size_classes (
    fiscal_year integer,
    firm_id varchar,
    prefecture_code varchar,
    jsic_division varchar,
    jsic_major varchar,
    employees bigint,
    capital_jpy bigint,
    size_category varchar,
    size_class varchar,
    size_class_reason varchar
);
