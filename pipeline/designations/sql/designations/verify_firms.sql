-- Each designated firm (temp table plan_firms: line, corporate_number, vendor_code, basis; one of
-- the two names given) against the live release of the reference year: whether it is a staged
-- firm (firm_degrees holds every staged firm), where its head office is, and whether it is on
-- the plan's prefecture's candidate list (national_candidates). A firm named by its 法人番号 is
-- found by it; one named by a vendor code is found as a 個人 with that code and no 法人番号 (a
-- 法人 named by its code is not found, and code_of_corporate_number says whose code it is).
-- A 個人 is not in the 国税庁 register: its head office is the release's prefecture, as for
-- every firm here.
with released as (
    select
        firm_id(corporate_number, vendor_code) as firm_id,
        corporate_number,
        vendor_code,
        legal_form,
        name,
        prefecture_code
    from read_parquet($firm_degrees)
    where corporate_number is not null or legal_form = '個人'
),

wanted as (
    select
        *,
        firm_id(nullif(corporate_number, ''), vendor_code) as firm_id
    from plan_firms
),

listed as (
    select firm_id(corporate_number, vendor_code) as firm_id
    from read_parquet($candidates)
    where prefecture_code = $prefecture_code
)

select
    wanted.line,
    wanted.corporate_number,
    wanted.vendor_code as named_vendor_code,
    wanted.basis,
    firms.name,
    firms.prefecture_code as head_office_prefecture_code,
    firms.vendor_code,
    firms.legal_form,
    firms.firm_id is not null as staged,
    coalesce(firms.prefecture_code = $prefecture_code, false) as in_prefecture,
    listed.firm_id is not null as on_list,
    (
        select min(coded.corporate_number)
        from read_parquet($firm_degrees) as coded
        where wanted.vendor_code <> '' and coded.corporate_number is not null
            and coded.vendor_code = wanted.vendor_code
    ) as code_of_corporate_number
from wanted
left join released as firms on firms.firm_id = wanted.firm_id
left join listed on listed.firm_id = wanted.firm_id
order by wanted.line
