-- The register the tables hold: its date and the SHA-256 of its files; checked once its
-- blocking suite passed on it. One row.
create table if not exists register_loads (
    register_version varchar, register_date varchar, files_json varchar, checked boolean
);
