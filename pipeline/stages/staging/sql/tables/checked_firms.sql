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
    jsic_major varchar,
    -- The optional multi-year columns of the composite score (y0 = this fiscal year).
    operating_profit_jpy_y0 bigint,
    operating_profit_jpy_y1 bigint,
    operating_profit_jpy_y2 bigint,
    employees_y0 bigint,
    employees_y1 bigint,
    employees_y2 bigint,
    -- Whether the name held control characters, each replaced by a space (README: input rules).
    name_controls_replaced boolean,
    -- The optional average wage (yen a year), for the plans' 賃上げ KPI.
    average_wage_jpy bigint,
    -- The vendor's firm code and the legal form (法人 or 個人; empty in the file = 法人). A staged
    -- 個人 has no corporate_number and is known by its vendor code.
    vendor_code varchar,
    legal_form varchar,
    -- The head office as the firms file gives it, and where prefecture_code comes from: 'vendor'
    -- (the file), or 'register' where register_policy register_prefecture put the firm in the
    -- 国税庁 register's prefecture (register_prefectures.sql).
    vendor_prefecture_code varchar,
    prefecture_source varchar
);
