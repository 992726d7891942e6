-- The fiscal years in which the firm asked for was staged (by its firm_id), or named by a
-- quarantined row: its 法人番号 as written or once normalised (invalid numbers included), or,
-- asked by $vendor_code, its vendor code. Latest first.
select fiscal_year from staged_firms where firm_id = $firm_id or vendor_code = $vendor_code
union
select fiscal_year from quarantined_firms
where json_extract_string(raw, '$.corporate_number') = $number_text
    or ascii_text(json_extract_string(raw, '$.corporate_number')) = $corporate_number
    or ascii_text(json_extract_string(raw, '$.vendor_code')) = $vendor_code
union
select fiscal_year from quarantined_transactions
where json_extract_string(raw, '$.supplier_corporate_number') = $number_text
    or json_extract_string(raw, '$.customer_corporate_number') = $number_text
    or ascii_text(json_extract_string(raw, '$.supplier_corporate_number')) = $corporate_number
    or ascii_text(json_extract_string(raw, '$.customer_corporate_number')) = $corporate_number
    or ascii_text(json_extract_string(raw, '$.supplier_vendor_code')) = $vendor_code
    or ascii_text(json_extract_string(raw, '$.customer_vendor_code')) = $vendor_code
order by fiscal_year desc
