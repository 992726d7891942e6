-- Each asset's data version, written with its rows (pipeline/warehouse/versions.py).
create table if not exists asset_versions (
    fiscal_year integer,
    asset varchar,
    data_version varchar,
    checked boolean
);
