-- Each evidence row with its counterparty looked up in the year's firm register (staged firms).
-- A staged counterparty's registered prefecture is used whatever the evidence says: the register
-- is the one authority on head offices, the same for all 47 prefectures. A counterparty that is
-- not a staged firm of the year keeps the evidence's prefecture.
create or replace temp table assess_counterparties as
select
    evidence.line,
    evidence.direction,
    evidence.corporate_number,
    cast(evidence.corporate_number as bigint) as counterparty_key,  -- a 法人番号 never starts with 0
    evidence.amount_jpy,
    coalesce(firms.name, evidence.name) as name,
    evidence.prefecture_code as evidence_prefecture_code,
    firms.prefecture_code as registered_prefecture_code,
    firms.corporate_number is not null as in_register,
    coalesce(firms.prefecture_code, evidence.prefecture_code) as prefecture_code,
    cast(coalesce(firms.prefecture_code, evidence.prefecture_code) as utinyint) as prefecture
from assess_evidence as evidence
left join staged_firms as firms
    on firms.fiscal_year = $fiscal_year and firms.corporate_number = evidence.corporate_number
order by evidence.line
