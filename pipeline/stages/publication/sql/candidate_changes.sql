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

-- The selection part each year's rule tests beside size and size class (contract_rule.sql).
selections as (
    select fiscal_year, coalesce(json_extract_string(rule, '$.selection'), 'thresholds') as selection
    from selection_rules
    where fiscal_year in ($fiscal_year, $fiscal_year - 1)
),

-- Per firm and year, the parts of the rule it fails, in a fixed order (size, size class, then
-- the degree or the composite test): what changed when it entered or left the list.
failed as (
    select
        years.fiscal_year,
        years.corporate_number,
        list_filter(
            [
                case when not years.meets_size then 'size' end,
                case when not years.meets_size_class then 'size_class' end,
                case
                    when selections.selection = 'composite_top_n' and not years.meets_composite
                        then 'composite'
                    when selections.selection <> 'composite_top_n'
                        and not (years.meets_connector or years.meets_hub) then 'degree'
                end
            ],
            lambda part: part is not null
        ) as parts
    from candidate_selection as years
    join selections using (fiscal_year)
    where years.fiscal_year in ($fiscal_year, $fiscal_year - 1) and not years.is_candidate
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
            else 'now_meets_' || array_to_string(failed.parts, '_and_')
        end as reason_code,
        q.reason as quarantine_reason,
        failed.parts,
        now.sales_jpy,
        now.employees,
        now.connector_degree,
        now.hub_degree,
        before.size_class,
        before.composite_rank
    from current_year as now
    left join previous_year as before using (corporate_number)
    left join failed on failed.fiscal_year = $fiscal_year - 1 and failed.corporate_number = now.corporate_number
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
            else 'fails_' || array_to_string(failed.parts, '_and_')
        end as reason_code,
        q.reason as quarantine_reason,
        failed.parts,
        now.sales_jpy,
        now.employees,
        now.connector_degree,
        now.hub_degree,
        now.size_class,
        now.composite_rank
    from previous_year as before
    left join current_year as now using (corporate_number)
    left join failed on failed.fiscal_year = $fiscal_year and failed.corporate_number = before.corporate_number
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
        -- Any other set of parts (size class, composite), named part by part.
        else array_to_string(list_transform(parts, lambda part: case part
                when 'size' then '規模要件'
                when 'size_class' then '規模区分の要件（' || coalesce(size_class, '—') || ' は除外）'
                when 'degree' then '度数要件'
                when 'composite' then '総合評価の上位N（県内 ' || coalesce(cast(composite_rank as varchar), '—') || ' 位）'
            end), 'と')
            || case change when 'entered' then 'を新たに満たした' else 'を満たさなくなった' end
    end as reason
from changes
where exists (select 1 from previous_year)
order by prefecture_code, change, corporate_number
