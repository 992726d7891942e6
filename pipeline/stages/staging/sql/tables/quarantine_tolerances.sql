create table if not exists quarantine_tolerances (
    fiscal_year integer,
    kind varchar,
    tolerance varchar
);
