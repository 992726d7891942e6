-- The firm's row of the year's reconciliation with the 国税庁 corporate register, for `explain`
-- (none without a register, or for a 個人, which has no 法人番号).
select
    register_status, register_name, register_prefecture_code, register_prefecture_name,
    register_city_name, close_date, close_cause_name, closed_before_year_end,
    successor_corporate_number, merged, prefecture_differs, name_differs, register_date
from firm_register_matches
where fiscal_year = $fiscal_year and corporate_number = $corporate_number
