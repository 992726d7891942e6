-- The 一覧 as its CSV is written (temp view ichiran): text a spreadsheet would run as a formula
-- gets its leading quote (the macro spreadsheet_safe, as the candidate lists do).
select * replace (
    spreadsheet_safe(name) as name,
    spreadsheet_safe(plan_title) as plan_title,
    spreadsheet_safe(focus) as focus,
    spreadsheet_safe(vendor_code) as vendor_code
)
from ichiran
