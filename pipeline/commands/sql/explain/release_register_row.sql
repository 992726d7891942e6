-- The firm's row of a release's register_reconciliation.parquet (published only when the year
-- was reconciled with a register), for `explain` from the release's files.
select
    register_status, register_name, register_prefecture_code, register_prefecture_name,
    register_city_name, close_date, close_cause_name, closed_before_year_end,
    successor_corporate_number, merged, prefecture_differs, name_differs, register_date
from read_parquet($register_reconciliation)
where corporate_number = $corporate_number
