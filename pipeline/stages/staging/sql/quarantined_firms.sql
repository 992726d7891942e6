-- Firm rows that failed a check, with their reason and raw values as JSON; yen is the parsed sales.
select
    $fiscal_year as fiscal_year,
    $source_file as source_file,
    checks.row_number,
    checks.reason,
    -- The identity columns only where the row has them (a merge patch leaves out nulls), so a
    -- file without them quarantines exactly as before they existed.
    json_merge_patch(
        to_json(struct_pack(
            raw.corporate_number, raw.name, raw.prefecture_code, raw.jsic_division,
            raw.sales_jpy, raw.employees, raw.capital_jpy, raw.export_sales_jpy
        )),
        to_json(struct_pack(raw.vendor_code, raw.legal_form))
    ) as raw,
    checks.sales_jpy as yen
from checked_firms as checks
join raw_firms as raw using (row_number)
where checks.fiscal_year = $fiscal_year and checks.reason is not null
