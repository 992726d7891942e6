-- Every row of every register file into register_entries (inside the load's transaction):
-- the columns the reconciliation and the register's suite read, as text but for the two
-- dates (whether a number is valid is the suite's to compute: register_rows in views.sql), with the file's place in the apply order (the files are given in that order) and the
-- row's place in the load (`row_number`, in file and line order: DuckDB keeps the order of the
-- files and of their lines). The other columns are parsed and checked (30 in every line), not
-- kept. Malformed lines go to the reject tables (rejected_lines.sql), which the load reports
-- whole, and then records nothing.
insert into register_entries
select
    (file_index + $first)::smallint as apply_order,
    row_number() over () + $offset as row_number,
    sequence_number,
    corporate_number,
    process,
    latest,
    name,
    kind,
    prefecture_code,
    prefecture_name,
    city_name,
    try_cast(close_date as date) as close_date,
    nullif(close_cause, '') as close_cause,
    nullif(successor_corporate_number, '') as successor_corporate_number,
    try_cast(update_date as date) as update_date
from read_csv(
    $files,
    header = false,
    columns = $columns,
    delim = ',',
    quote = '"',
    escape = '"',
    store_rejects = true,
    rejects_table = 'register_reject_errors',
    rejects_scan = 'register_reject_scans',
    auto_detect = false,
    null_padding = false
)
