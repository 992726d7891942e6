-- Every row of every applied file, 全件 and 差分, for audit: which file (and the NTA's sequence
-- number in it) said what about a number. The rows' other columns are in the files themselves,
-- whose SHA-256 the load records; the newest row per number is kept whole in corporate_register.
create table if not exists register_rows (
    source_file varchar, file_kind varchar, file_date date, apply_order integer,
    sequence_number varchar, corporate_number varchar, process varchar, latest varchar,
    number_valid boolean
);
