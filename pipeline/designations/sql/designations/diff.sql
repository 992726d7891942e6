-- Firms added and removed between two 一覧 versions ($a, $b: their ichiran.parquet), by firm and plan.
with a as (select * from read_parquet($a)), b as (select * from read_parquet($b))
select
    case when a.corporate_number is null then 'added' else 'removed' end as change,
    coalesce(b.corporate_number, a.corporate_number) as corporate_number,
    coalesce(b.name, a.name) as name,
    coalesce(b.prefecture_code, a.prefecture_code) as prefecture_code,
    coalesce(b.prefecture_name, a.prefecture_name) as prefecture_name,
    coalesce(b.plan_id, a.plan_id) as plan_id,
    coalesce(b.plan_title, a.plan_title) as plan_title
from a
full outer join b on a.corporate_number = b.corporate_number and a.plan_id = b.plan_id
where a.corporate_number is null or b.corporate_number is null
order by change, prefecture_code, plan_id, corporate_number
