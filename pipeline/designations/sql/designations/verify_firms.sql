-- Each designated firm (temp table plan_firms) against the live release of the reference year:
-- whether it is a staged firm (firm_degrees holds every staged firm), where its head office is,
-- and whether it is on the plan's prefecture's candidate list (national_candidates).
select
    plan_firms.line,
    plan_firms.corporate_number,
    plan_firms.basis,
    firms.name,
    firms.prefecture_code as head_office_prefecture_code,
    firms.corporate_number is not null as staged,
    coalesce(firms.prefecture_code = $prefecture_code, false) as in_prefecture,
    candidates.corporate_number is not null as on_list
from plan_firms
left join read_parquet($firm_degrees) as firms
    on firms.corporate_number = plan_firms.corporate_number
left join (
    select corporate_number from read_parquet($candidates) where prefecture_code = $prefecture_code
) as candidates
    on candidates.corporate_number = plan_firms.corporate_number
order by plan_firms.line
