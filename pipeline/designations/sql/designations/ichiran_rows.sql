-- One version of the 一覧: every firm that an approved plan designates (temp table designated,
-- one row per firm and plan), in force from $effective_date. A firm and plan already in the
-- previous version (temp table previous, by firm_id) keep the date they have been designated
-- since. A 個人 has no 法人番号: its row is known by its vendor code (the last two columns).
select
    cast($version as integer) as ichiran_version,
    cast($effective_date as date) as effective_date,
    designated.corporate_number,
    designated.name,
    designated.prefecture_code,
    prefecture_names.prefecture_name,
    designated.municipality_code,
    designated.plan_id,
    cast(designated.plan_revision as integer) as plan_revision,
    designated.plan_title,
    designated.focus,
    designated.basis,
    coalesce(
        previous.designated_from,
        greatest(cast(designated.valid_from as date), cast($effective_date as date))
    ) as designated_from,
    cast(designated.valid_to as date) as designated_until,
    designated.release_id,
    designated.vendor_code,
    designated.legal_form
from designated
join prefecture_names using (prefecture_code)
left join previous
    on previous.firm_id = designated.firm_id and previous.plan_id = designated.plan_id
-- firm_id is the 法人番号 where there is one; a 個人's sorts after every number.
order by designated.prefecture_code, designated.plan_id, designated.firm_id
