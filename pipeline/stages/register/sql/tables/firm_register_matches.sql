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
