-- How the year's amounts were read (amount_mode, estimate_beta), recorded by staging.
create table if not exists amount_rules (
    fiscal_year integer,
    rule varchar
);
