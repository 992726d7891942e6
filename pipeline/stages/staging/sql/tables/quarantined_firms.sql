create table if not exists quarantined_firms (
    fiscal_year integer,
    source_file varchar,
    row_number bigint,
    reason varchar,
    raw varchar,
    yen bigint
);
