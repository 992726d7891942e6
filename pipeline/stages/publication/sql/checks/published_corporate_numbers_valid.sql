-- Blocking: in each published file, every firm has a valid 法人番号, or is a 個人 with an empty
-- one and a vendor code; and no firm repeats (by its number, or a 個人 by its code).
with published as (
    select 'national_candidates' as file, corporate_number, vendor_code, legal_form
    from read_parquet($national_candidates)
    union all
    select 'firm_degrees', corporate_number, vendor_code, legal_form
    from read_parquet($firm_degrees)
),

identified as (
    select
        file,
        corporate_number,
        vendor_code,
        firm_id(corporate_number, vendor_code) as firm_id,
        is_corporate_number(corporate_number)
            or (corporate_number is null and legal_form = '個人' and vendor_code is not null) as valid
    from published
)

select file, firm_id, count(*) as occurrences, bool_and(valid) as valid
from identified
group by file, firm_id
having count(*) > 1 or not bool_and(valid)
order by file, firm_id
