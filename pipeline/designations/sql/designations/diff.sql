-- Firms added and removed between two 一覧 versions ($a, $b: their ichiran.parquet), by firm and
-- plan; a firm is its firm_id (a 個人, without a 法人番号, by its vendor code).
with a as (select * from ichiran_version($a)), b as (select * from ichiran_version($b))
select
    case when a.firm_id is null then 'added' else 'removed' end as change,
    coalesce(b.corporate_number, a.corporate_number) as corporate_number,
    coalesce(b.name, a.name) as name,
    coalesce(b.prefecture_code, a.prefecture_code) as prefecture_code,
    coalesce(b.prefecture_name, a.prefecture_name) as prefecture_name,
    coalesce(b.plan_id, a.plan_id) as plan_id,
    coalesce(b.plan_title, a.plan_title) as plan_title,
    coalesce(b.vendor_code, a.vendor_code) as vendor_code,
    coalesce(b.legal_form, a.legal_form) as legal_form
from a
full outer join b on a.firm_id = b.firm_id and a.plan_id = b.plan_id
where a.firm_id is null or b.firm_id is null
order by change, prefecture_code, plan_id, coalesce(b.firm_id, a.firm_id)
