-- Every firm's designation intervals across the 一覧 versions (temp view version_rows: the rows
-- of every version; temp table versions: version, effective_date). A firm and plan listed in
-- consecutive versions form one interval: from the first version's designated_from until the
-- day before the first version without it (or, while it is listed, the plan's end), inclusive.
-- A firm is its firm_id: a 個人 (no 法人番号) by its vendor code; the lookups, by 法人番号, never
-- find it.
with islands as (
    select
        *,
        ichiran_version - row_number() over (partition by firm_id, plan_id order by ichiran_version)
            as island
    from (select *, firm_id(corporate_number, vendor_code) as firm_id from version_rows)
),

next_versions as (
    select version, lead(cast(effective_date as date)) over (order by version) as next_effective
    from versions
),

intervals as (
    select
        firm_id,
        arg_max(corporate_number, ichiran_version) as corporate_number,
        plan_id,
        min(ichiran_version) as first_version,
        max(ichiran_version) as last_version,
        arg_min(designated_from, ichiran_version) as listed_from,
        arg_max(designated_until, ichiran_version) as planned_until,
        arg_max(name, ichiran_version) as name,
        arg_max(prefecture_code, ichiran_version) as prefecture_code,
        arg_max(prefecture_name, ichiran_version) as prefecture_name,
        arg_max(municipality_code, ichiran_version) as municipality_code,
        arg_max(plan_revision, ichiran_version) as plan_revision,
        arg_max(plan_title, ichiran_version) as plan_title,
        arg_max(focus, ichiran_version) as focus,
        arg_max(basis, ichiran_version) as basis,
        arg_max(vendor_code, ichiran_version) as vendor_code,
        arg_max(legal_form, ichiran_version) as legal_form
    from islands
    group by firm_id, plan_id, island
)

select
    intervals.corporate_number,
    intervals.name,
    intervals.prefecture_code,
    intervals.prefecture_name,
    intervals.municipality_code,
    intervals.plan_id,
    intervals.plan_revision,
    intervals.plan_title,
    intervals.focus,
    intervals.basis,
    intervals.listed_from,
    case
        when next_versions.next_effective is null then intervals.planned_until
        else least(intervals.planned_until, cast(next_versions.next_effective - interval 1 day as date))
    end as listed_until,
    intervals.first_version,
    intervals.last_version,
    intervals.vendor_code,
    intervals.legal_form
from intervals
join next_versions on next_versions.version = intervals.last_version
-- An interval that ends before it starts (a plan that was to begin after it was dropped) never held.
where listed_until >= intervals.listed_from
order by intervals.firm_id, intervals.listed_from, intervals.plan_id
