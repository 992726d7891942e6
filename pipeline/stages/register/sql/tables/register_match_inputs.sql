-- The register version each year's reconciliation was made from ('no register' without one).
create table if not exists register_match_inputs (fiscal_year integer, register_version varchar);
