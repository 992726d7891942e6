create table if not exists selection_rules (
    fiscal_year integer,
    rule varchar
);
