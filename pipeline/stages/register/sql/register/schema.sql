-- The corporate register's tables (created by the register's first load; the per-year run
-- only reads them, so a warehouse without a register is as it was; each year's matches are in
-- tables/firm_register_matches.sql). The views over them
-- (register_rows, corporate_register, register_deletions) are in views.sql.

-- Every row of every applied file, 全件 and 差分, once: the columns the reconciliation and the
-- register's suite read, the file's place in the apply order and the row's place in the load
-- (row_number; its line in the file is row_number - register_files.first_row + 1). The rows'
-- other columns are in the files themselves, whose SHA-256 the load records. High-cardinality
-- text is stored uncompressed: compressing it cost more than reading the files.
create table if not exists register_entries (
    apply_order smallint,
    row_number bigint,
    sequence_number varchar using compression uncompressed,
    corporate_number varchar using compression uncompressed,
    process varchar,
    latest varchar,
    name varchar using compression uncompressed,
    kind varchar,
    prefecture_code varchar,
    prefecture_name varchar,
    city_name varchar,
    close_date date,
    close_cause varchar,
    successor_corporate_number varchar,
    update_date date
);

-- The applied files in apply order (全件 first, then the differences by date and serial).
create table if not exists register_files (
    apply_order smallint, source_file varchar, file_kind varchar, file_date date,
    first_row bigint, rows bigint
);

-- The rows a newer row of the same number replaces (by file order, then the NTA's sequence
-- number within the file, then the line): not the register's state, kept for audit.
create table if not exists register_superseded (row_number bigint, corporate_number varchar);

-- The register the tables hold: its date and the SHA-256 of its files; checked once its
-- blocking suite passed on it. One row.
create table if not exists register_loads (
    register_version varchar, register_date varchar, files_json varchar, checked boolean
);

-- The register version each year's reconciliation was made from ('no register' without one).
create table if not exists register_match_inputs (fiscal_year integer, register_version varchar);
