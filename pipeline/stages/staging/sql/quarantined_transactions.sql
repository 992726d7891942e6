-- Transaction rows that failed a check, with their reason and their raw values as JSON.
select
    $fiscal_year as fiscal_year,
    $source_file as source_file,
    checks.row_number,
    checks.reason,
    -- The vendor codes only where the row has them, as in quarantined_firms.sql.
    json_merge_patch(
        to_json(struct_pack(raw.supplier_corporate_number, raw.customer_corporate_number, raw.amount_jpy)),
        to_json(struct_pack(raw.supplier_vendor_code, raw.customer_vendor_code))
    ) as raw,
    checks.amount_jpy as yen
from checked_transactions as checks
join raw_transactions as raw using (row_number)
where checks.fiscal_year = $fiscal_year and checks.reason is not null
