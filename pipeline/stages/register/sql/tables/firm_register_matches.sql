-- Per fiscal year: each staged firm with a 法人番号 against the register (firm_register_matches.sql).
create table if not exists firm_register_matches (
    fiscal_year integer,
    corporate_number varchar using compression uncompressed,
    vendor_name varchar using compression uncompressed,
    vendor_prefecture_code varchar,
    found boolean, register_status varchar,
    register_name varchar using compression uncompressed,
    register_prefecture_code varchar,
    register_prefecture_name varchar, register_city_name varchar, register_kind varchar,
    close_date date, close_cause varchar, close_cause_name varchar, closed_before_year_end boolean,
    successor_corporate_number varchar, merged boolean, prefecture_differs boolean, name_differs boolean,
    register_process varchar, register_update_date date, register_source_file varchar,
    register_date varchar,
    -- The head office every later stage used: the register's under register_policy
    -- register_prefecture where the two differ, else the vendor's.
    used_prefecture_code varchar
);
