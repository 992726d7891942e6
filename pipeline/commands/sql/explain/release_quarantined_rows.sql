-- A release's quarantined rows (its quarantine.parquet) whose raw 法人番号 — a firms row's
-- corporate_number, or a transaction's supplier or customer — is the text asked for, as written
-- or once normalised; invalid numbers included. Matches explain/quarantined_rows.sql.
with numbers as (
    unpivot (
        select
            source_file,
            row_number,
            reason,
            raw,
            json_extract_string(raw, '$.corporate_number') as corporate_number,
            json_extract_string(raw, '$.supplier_corporate_number') as supplier_corporate_number,
            json_extract_string(raw, '$.customer_corporate_number') as customer_corporate_number
        from read_parquet($quarantine)
    )
    on corporate_number, supplier_corporate_number, customer_corporate_number
    into name field value raw_number
)

select
    case when list_contains(list(field), 'corporate_number') then 'firms' else 'transactions' end as kind,
    source_file,
    row_number,
    reason,
    raw,
    list(field order by field) as columns
from numbers
where raw_number = $text or ascii_text(raw_number) = $corporate_number
group by source_file, row_number, reason, raw
order by kind, source_file, row_number
