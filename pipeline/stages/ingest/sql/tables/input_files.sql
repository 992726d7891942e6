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
