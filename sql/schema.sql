-- Every table of the warehouse. Each stage replaces one fiscal year (delete, then insert).
create schema if not exists raw;

create table if not exists prefectures (
    prefecture_code varchar primary key,
    prefecture_name varchar not null
);

create table if not exists input_files (
    fiscal_year integer,
    kind varchar,
    source_file varchar,
    file_format varchar,
    encoding varchar,
    size_bytes bigint,
    rows_read bigint,
    sha256 varchar
);
alter table input_files add column if not exists sha256 varchar;  -- warehouses made before it

-- Every raw row once, normalised, with its quarantine reason (null = staged). Staging writes
-- each row once; the staged tables are views of the rows without a reason.
create table if not exists checked_firms (
    fiscal_year integer,
    row_number bigint,
    corporate_number varchar,
    name varchar,
    prefecture_code varchar,
    jsic_division varchar,
    sales_jpy bigint,
    employees bigint,
    capital_jpy bigint,
    export_sales_jpy bigint,
    source_file varchar,
    reason varchar,
    jsic_major varchar
);
alter table checked_firms add column if not exists jsic_major varchar;  -- warehouses made before it
-- Issue 8: the optional multi-year columns of the composite score (y0 = this fiscal year).
alter table checked_firms add column if not exists operating_profit_jpy_y0 bigint;
alter table checked_firms add column if not exists operating_profit_jpy_y1 bigint;
alter table checked_firms add column if not exists operating_profit_jpy_y2 bigint;
alter table checked_firms add column if not exists employees_y0 bigint;
alter table checked_firms add column if not exists employees_y1 bigint;
alter table checked_firms add column if not exists employees_y2 bigint;
-- Issue 18: the optional average wage (yen a year), for the plans' 賃上げ KPI.
alter table checked_firms add column if not exists average_wage_jpy bigint;
-- Whether the name held control characters, each replaced by a space (README: input rules).
alter table checked_firms add column if not exists name_controls_replaced boolean;

create view if not exists staged_firms as
select
    fiscal_year, corporate_number, name, prefecture_code, jsic_division, sales_jpy, employees,
    capital_jpy, coalesce(export_sales_jpy, 0) as export_sales_jpy, source_file, row_number,
    jsic_major, operating_profit_jpy_y0, operating_profit_jpy_y1, operating_profit_jpy_y2,
    employees_y0, employees_y1, employees_y2
from checked_firms
where reason is null;

-- Transactions keep both firms as BIGINT keys (a staged 法人番号 never starts with 0) and
-- both prefectures as 1-byte codes: 20M rows of integers write far faster than of text,
-- and later stages need no join back to the firms.
create table if not exists checked_transactions (
    fiscal_year integer,
    row_number bigint,
    supplier_key bigint,
    customer_key bigint,
    amount_jpy bigint,
    within_prefecture boolean,
    reason varchar,
    supplier_prefecture utinyint,
    customer_prefecture utinyint,
    -- Issue 8: true where amount_mode 'estimate' filled in an empty amount.
    amount_estimated boolean
);

-- For people and `explain`: the staged rows with their 法人番号 and prefectures as text.
create view if not exists staged_transactions as
select
    transactions.fiscal_year,
    cast(transactions.supplier_key as varchar) as supplier_corporate_number,
    cast(transactions.customer_key as varchar) as customer_corporate_number,
    transactions.amount_jpy,
    transactions.amount_estimated,
    lpad(cast(transactions.supplier_prefecture as varchar), 2, '0') as supplier_prefecture_code,
    lpad(cast(transactions.customer_prefecture as varchar), 2, '0') as customer_prefecture_code,
    inputs.source_file,
    transactions.row_number
from checked_transactions as transactions
left join input_files as inputs
    on inputs.fiscal_year = transactions.fiscal_year and inputs.kind = 'transactions'
where transactions.reason is null;

create table if not exists quarantined_firms (
    fiscal_year integer,
    source_file varchar,
    row_number bigint,
    reason varchar,
    raw varchar,
    yen bigint
);

create table if not exists quarantined_transactions (
    fiscal_year integer,
    source_file varchar,
    row_number bigint,
    reason varchar,
    raw varchar,
    yen bigint
);

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
    out_of_prefecture_suppliers bigint
);
-- Issue 7's per-firm aggregates, made in the same pass; for warehouses made before them.
alter table firm_flows add column if not exists sales_squared double;
alter table firm_flows add column if not exists top_customer_jpy bigint;
alter table firm_flows add column if not exists in_prefecture_customers bigint;
alter table firm_flows add column if not exists out_of_prefecture_customers bigint;
alter table firm_flows add column if not exists in_prefecture_suppliers bigint;
alter table firm_flows add column if not exists out_of_prefecture_suppliers bigint;
-- Issue 8: the yen of estimated amounts in each numerator.
alter table firm_flows add column if not exists estimated_out_of_prefecture_sales_jpy bigint;
alter table firm_flows add column if not exists estimated_in_prefecture_purchases_jpy bigint;

create table if not exists prefecture_totals (
    fiscal_year integer,
    prefecture_code varchar,
    prefecture_name varchar,
    firms bigint,
    sales_jpy hugeint,
    export_sales_jpy hugeint,
    out_of_prefecture_sales_jpy hugeint,
    in_prefecture_purchases_jpy hugeint
);
alter table prefecture_totals add column if not exists estimated_out_of_prefecture_sales_jpy hugeint;
alter table prefecture_totals add column if not exists estimated_in_prefecture_purchases_jpy hugeint;

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
    hub_rank bigint
);

create table if not exists candidate_selection (
    fiscal_year integer,
    prefecture_code varchar,
    prefecture_name varchar,
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
    meets_size boolean,
    meets_connector boolean,
    meets_hub boolean,
    is_candidate boolean
);

create table if not exists selection_rules (
    fiscal_year integer,
    rule varchar
);

create table if not exists check_results (
    fiscal_year integer,
    run_id varchar,
    asset varchar,
    check_name varchar,
    blocking boolean,
    passed boolean,
    summary varchar,
    details varchar,
    checked_at timestamp
);

-- Input hashes were once cached by path, size and mtime; they are now taken from content, every run.
drop table if exists file_hashes;

-- Each asset's data version, written with its rows (pipeline/versions.py).
create table if not exists asset_versions (
    fiscal_year integer,
    asset varchar,
    data_version varchar
);
alter table asset_versions add column if not exists checked boolean;

create table if not exists quarantine_tolerances (
    fiscal_year integer,
    kind varchar,
    tolerance varchar
);

-- Issue 7: size classes, requirement indicators, block degrees and KPI baselines.
alter table candidate_selection add column if not exists size_class varchar;
alter table candidate_selection add column if not exists size_class_reason varchar;
alter table candidate_selection add column if not exists meets_size_class boolean;

create table if not exists blocks (
    block_code varchar,
    block_name varchar,
    block_order integer,
    prefecture_code varchar
);

create table if not exists firm_size_classes (
    fiscal_year integer,
    corporate_number varchar,
    prefecture_code varchar,
    jsic_division varchar,
    jsic_major varchar,
    employees bigint,
    capital_jpy bigint,
    size_category varchar,
    size_class varchar,
    size_class_reason varchar
);

create table if not exists firm_indicators (
    fiscal_year integer,
    corporate_number varchar,
    prefecture_code varchar,
    in_prefecture_procurement_share double,
    top_customer_share double,
    customer_hhi double,
    in_prefecture_customers bigint,
    out_of_prefecture_customers bigint,
    in_prefecture_suppliers bigint,
    out_of_prefecture_suppliers bigint
);

create table if not exists block_degrees (
    fiscal_year integer,
    block_code varchar,
    block_name varchar,
    block_order integer,
    prefecture_code varchar,
    corporate_number varchar,
    out_of_block_sales_jpy bigint,
    in_block_purchases_jpy bigint,
    block_connector_degree double,
    block_hub_degree double,
    block_connector_rank bigint,
    block_hub_rank bigint
);

create table if not exists prefecture_kpis (
    fiscal_year integer,
    prefecture_code varchar,
    prefecture_name varchar,
    in_prefecture_transactions_jpy bigint,
    out_of_prefecture_firm_sales_jpy bigint,
    export_sales_jpy bigint,
    candidates bigint,
    candidate_sales_jpy bigint,
    candidate_employees bigint,
    previous_fiscal_year integer,
    in_prefecture_transactions_jpy_change bigint,
    out_of_prefecture_firm_sales_jpy_change bigint,
    export_sales_jpy_change bigint,
    candidates_change bigint,
    candidate_sales_jpy_change bigint,
    candidate_employees_change bigint
);
alter table prefecture_kpis add column if not exists estimated_out_of_prefecture_sales_share double;
alter table prefecture_kpis add column if not exists estimated_in_prefecture_purchases_share double;

-- Issue 8: how the year's amounts were read (amount_mode, estimate_beta), recorded by staging.
create table if not exists amount_rules (
    fiscal_year integer,
    rule varchar
);

-- Issue 8: the composite score's six indicators, their average ranks and T-scores per firm.
create table if not exists composite_indicators (
    fiscal_year integer,
    prefecture_code varchar,
    corporate_number varchar,
    profit_contribution_jpy double,
    employment_contribution double,
    profit_growth double,
    employment_growth double,
    scored_firms bigint,
    connector_rank_avg double,
    hub_rank_avg double,
    profit_rank_avg double,
    employment_rank_avg double,
    profit_growth_rank_avg double,
    employment_growth_rank_avg double,
    connector_t double,
    hub_t double,
    profit_t double,
    employment_t double,
    profit_growth_t double,
    employment_growth_t double,
    composite_reason varchar
);
alter table candidate_selection add column if not exists composite_score double;
alter table candidate_selection add column if not exists composite_rank bigint;
alter table candidate_selection add column if not exists composite_reason varchar;
alter table candidate_selection add column if not exists meets_composite boolean;
