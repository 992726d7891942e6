create table if not exists check_results (
    fiscal_year integer,
    run_id varchar,
    asset varchar,
    check_name varchar,
    blocking boolean,
    passed boolean,
    summary varchar,
    details varchar,
    checked_at timestamp
);
