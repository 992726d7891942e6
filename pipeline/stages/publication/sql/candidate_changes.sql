-- Firms that entered or left the candidate list since the previous fiscal year, with why.
-- Empty when the previous year is not in the warehouse.
with current_year as (
    select * from candidate_selection where fiscal_year = $fiscal_year
),

previous_year as (
    select * from candidate_selection where fiscal_year = $fiscal_year - 1
),

quarantined as (
    select
        fiscal_year,
        ascii_text(json_extract_string(raw, '$.corporate_number')) as corporate_number,
        min(reason) as reason
    from quarantined_firms
    where fiscal_year in ($fiscal_year, $fiscal_year - 1)
    group by all
),

entered as (
    select
        now.prefecture_code,
        now.prefecture_name,
        now.corporate_number,
        now.name,
        'entered' as change,
        case
            when before.corporate_number is null and q.reason is not null then 'quarantined_last_year'
            when before.corporate_number is null then 'absent_last_year'
            when not before.meets_size and not (before.meets_connector or before.meets_hub)
                then 'now_meets_size_and_degree'
            when not before.meets_size then 'now_meets_size'
            else 'now_meets_degree'
        end as reason_code,
        q.reason as quarantine_reason,
        now.sales_jpy,
        now.employees,
        now.connector_degree,
        now.hub_degree
    from current_year as now
    left join previous_year as before using (corporate_number)
    left join quarantined as q
        on q.corporate_number = now.corporate_number and q.fiscal_year = $fiscal_year - 1
    where now.is_candidate and not coalesce(before.is_candidate, false)
),

departed as (
    select
        coalesce(now.prefecture_code, before.prefecture_code) as prefecture_code,
        coalesce(now.prefecture_name, before.prefecture_name) as prefecture_name,
        before.corporate_number,
        coalesce(now.name, before.name) as name,
        'left' as change,
        case
            when now.corporate_number is null and q.reason is not null then 'quarantined_this_year'
            when now.corporate_number is null then 'absent_this_year'
            when not now.meets_size and not (now.meets_connector or now.meets_hub)
                then 'fails_size_and_degree'
            when not now.meets_size then 'fails_size'
            else 'fails_degree'
        end as reason_code,
        q.reason as quarantine_reason,
        now.sales_jpy,
        now.employees,
        now.connector_degree,
        now.hub_degree
    from previous_year as before
    left join current_year as now using (corporate_number)
    left join quarantined as q
        on q.corporate_number = before.corporate_number and q.fiscal_year = $fiscal_year
    where before.is_candidate and not coalesce(now.is_candidate, false)
),

changes as (
    select * from entered
    union all
    select * from departed
)

select
    $fiscal_year as fiscal_year,
    prefecture_code,
    prefecture_name,
    corporate_number,
    name,
    change,
    reason_code,
    case reason_code
        when 'absent_last_year' then '前年度のデータにない企業（新規）'
        when 'quarantined_last_year' then '前年度は検疫（' || quarantine_reason || '）'
        when 'now_meets_size_and_degree' then '規模要件と度数要件を新たに満たした'
        when 'now_meets_size' then '規模要件を新たに満たした'
        when 'now_meets_degree' then 'コネクター度またはハブ度の要件を新たに満たした'
        when 'absent_this_year' then '今年度のデータにない'
        when 'quarantined_this_year' then '今年度は検疫（' || quarantine_reason || '）'
        when 'fails_size_and_degree' then '規模要件と度数要件を満たさなくなった'
        when 'fails_size' then '規模要件を満たさなくなった（売上高 ' || format('{:,}', sales_jpy)
            || ' 円、従業員 ' || employees || ' 人）'
        when 'fails_degree' then '度数要件を満たさなくなった（コネクター度 '
            || coalesce(printf('%.6f', connector_degree), '—') || '、ハブ度 '
            || coalesce(printf('%.6f', hub_degree), '—') || '）'
    end as reason
from changes
where exists (select 1 from previous_year)
order by prefecture_code, change, corporate_number
