-- The fiscal years in which a corporate number was staged, or carried by a quarantined row
-- (as written or once normalised; invalid numbers included), latest first.
select fiscal_year from staged_firms where corporate_number = $corporate_number
union
select fiscal_year from quarantined_firms
where json_extract_string(raw, '$.corporate_number') = $text
    or ascii_text(json_extract_string(raw, '$.corporate_number')) = $corporate_number
union
select fiscal_year from quarantined_transactions
where json_extract_string(raw, '$.supplier_corporate_number') = $text
    or json_extract_string(raw, '$.customer_corporate_number') = $text
    or ascii_text(json_extract_string(raw, '$.supplier_corporate_number')) = $corporate_number
    or ascii_text(json_extract_string(raw, '$.customer_corporate_number')) = $corporate_number
order by fiscal_year desc
