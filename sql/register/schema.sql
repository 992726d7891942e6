-- The corporate register's tables (created by the register's first load; the per-year run
-- only reads them, so a warehouse without a register is as it was).

-- Every row of every applied file, 全件 and 差分, for audit: which file (and the NTA's sequence
-- number in it) said what about a number. The rows' other columns are in the files themselves,
-- whose SHA-256 the load records; the newest row per number is kept whole in corporate_register.
create table if not exists register_rows (
    source_file varchar, file_kind varchar, file_date date, apply_order integer,
    sequence_number varchar, corporate_number varchar, process varchar, latest varchar,
    number_valid boolean
);

-- The register as it stands after the differences: one row per number, the newest.
create table if not exists corporate_register (
    corporate_number varchar, name varchar, furigana varchar, kind varchar,
    prefecture_code varchar, prefecture_name varchar, city_name varchar, street_number varchar,
    post_code varchar, close_date date, close_cause varchar, successor_corporate_number varchar,
    process varchar, update_date date, change_date date, assignment_date date,
    source_file varchar, sequence_number varchar, latest varchar, applied_rows integer
);

-- Numbers whose newest row is 99 削除: gone from the register, named in the reconciliation.
create table if not exists register_deletions (
    corporate_number varchar, source_file varchar, file_date date
);

-- The register the tables hold: its date and the SHA-256 of its files; checked once its
-- blocking suite passed on it. One row.
create table if not exists register_loads (
    register_version varchar, register_date varchar, files_json varchar, checked boolean
);

-- Per fiscal year: each staged firm against the register.
create table if not exists firm_register_matches (
    fiscal_year integer, corporate_number varchar, vendor_name varchar, vendor_prefecture_code varchar,
    found boolean, register_status varchar, register_name varchar, register_prefecture_code varchar,
    register_prefecture_name varchar, register_city_name varchar, register_kind varchar,
    close_date date, close_cause varchar, close_cause_name varchar, closed_before_year_end boolean,
    successor_corporate_number varchar, merged boolean, prefecture_differs boolean, name_differs boolean,
    register_process varchar, register_update_date date, register_source_file varchar,
    register_date varchar
);

-- The register version each year's reconciliation was made from ('no register' without one).
create table if not exists register_match_inputs (fiscal_year integer, register_version varchar);
