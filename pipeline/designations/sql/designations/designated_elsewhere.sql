-- (SQLite, the plans store) Firms designated by the latest revision, not returned, of a plan of
-- another prefecture than ?: a firm two prefectures designate is flagged for the secretariat.
with latest as (
    select plan_id, max(revision) as revision from plan_revisions group by plan_id
),
state as (
    select e.plan_id, e.revision, e.action
    from plan_events as e
    where e.event_id = (
        select max(x.event_id) from plan_events as x where x.plan_id = e.plan_id and x.revision = e.revision
    )
)
select d.corporate_number, d.plan_id
from designations as d
join latest using (plan_id, revision)
join state using (plan_id, revision)
join plans as p using (plan_id)
where p.prefecture_code <> ? and state.action <> 'returned'
order by d.plan_id
