-- The register as it stands after the differences: one row per number, the newest.
create table if not exists corporate_register (
    corporate_number varchar, name varchar, furigana varchar, kind varchar,
    prefecture_code varchar, prefecture_name varchar, city_name varchar, street_number varchar,
    post_code varchar, close_date date, close_cause varchar, successor_corporate_number varchar,
    process varchar, update_date date, change_date date, assignment_date date,
    source_file varchar, sequence_number varchar, latest varchar, applied_rows integer
);
