-- The quarantined firm rows carrying this corporate number, for `explain`.
select source_file, row_number, reason, raw
from quarantined_firms
where fiscal_year = $fiscal_year
    and ascii_text(json_extract_string(raw, '$.corporate_number')) = $corporate_number
order by row_number
