-- Every row of every register file, as text, with the file it came from and where that file
-- stands in the apply order (全件 first, then the differences by date). Malformed lines go to
-- DuckDB's reject tables (rejected_lines.sql), which the load reports whole.
create or replace temp table register_load as
select
    f.source_file,
    f.file_kind,
    f.file_date,
    f.apply_order,
    r.* exclude (filename),
    is_corporate_number(r.corporate_number) as number_valid
from read_csv(
    $files,
    header = false,
    columns = $columns,
    delim = ',',
    quote = '"',
    escape = '"',
    filename = true,
    store_rejects = true,
    auto_detect = false,
    null_padding = false
) as r
join register_load_files as f on f.csv_path = r.filename
