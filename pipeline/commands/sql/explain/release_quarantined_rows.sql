-- A release's quarantined rows (its quarantine.parquet) whose raw 法人番号 — a firms row's
-- corporate_number, or a transaction's supplier or customer — is the text asked for, as written
-- or once normalised; invalid numbers included; or, asked by $vendor_code, whose raw vendor code
-- is that code. Matches explain/quarantined_rows.sql.
with numbers as (
    unpivot (
        select
            source_file,
            row_number,
            reason,
            raw,
            json_extract_string(raw, '$.corporate_number') as corporate_number,
            json_extract_string(raw, '$.supplier_corporate_number') as supplier_corporate_number,
            json_extract_string(raw, '$.customer_corporate_number') as customer_corporate_number,
            json_extract_string(raw, '$.vendor_code') as vendor_code,
            json_extract_string(raw, '$.supplier_vendor_code') as supplier_vendor_code,
            json_extract_string(raw, '$.customer_vendor_code') as customer_vendor_code
        from read_parquet($quarantine)
    )
    on corporate_number, supplier_corporate_number, customer_corporate_number,
        vendor_code, supplier_vendor_code, customer_vendor_code
    into name field value raw_value
)

select
    case
        when list_contains(list(field), 'corporate_number') or list_contains(list(field), 'vendor_code')
            then 'firms'
        else 'transactions'
    end as kind,
    source_file,
    row_number,
    reason,
    raw,
    list(field order by field) as columns
from numbers
where (field like '%corporate_number' and (raw_value = $number_text or ascii_text(raw_value) = $corporate_number))
    or (field like '%vendor_code' and ascii_text(raw_value) = $vendor_code)
group by source_file, row_number, reason, raw
order by kind, source_file, row_number
