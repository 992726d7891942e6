-- The fiscal years in which a corporate number was staged or quarantined, latest first.
select fiscal_year from staged_firms where corporate_number = $corporate_number
union
select fiscal_year from quarantined_firms
where ascii_text(json_extract_string(raw, '$.corporate_number')) = $corporate_number
order by fiscal_year desc
