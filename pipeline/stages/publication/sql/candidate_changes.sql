-- Firms that entered or left a prefecture's candidate list since the previous fiscal year, with
-- why. A candidate whose head office moved leaves the old prefecture's list and enters the new
-- one's; a firm gone from the data that the 国税庁 register (as loaded) shows closed is named so.
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
        -- The row's firm as staging would have known it (staged_firms.firm_id).
        firm_id(
            nullif(ascii_text(json_extract_string(raw, '$.corporate_number')), ''),
            nullif(ascii_text(json_extract_string(raw, '$.vendor_code')), '')
        ) as firm_id,
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

-- Per firm and year, the parts of the rule it fails, in a fixed order (size, size class, the
-- register, then the degree or the composite test): what changed when it entered or left the list.
failed as (
    select
        years.fiscal_year,
        years.firm_id,
        list_filter(
            [
                case when not years.meets_size then 'size' end,
                case when not years.meets_size_class then 'size_class' end,
                case when not years.meets_register then 'register' end,
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

-- The register's closures, for the firms gone from this year's data (empty without a register).
closures as (
    select corporate_number, close_date, close_cause, successor_corporate_number
    from corporate_register
    where close_date is not null
),

entered as (
    select
        now.prefecture_code,
        now.prefecture_name,
        now.firm_id,
        now.corporate_number,
        now.vendor_code,
        now.legal_form,
        now.name,
        'entered' as change,
        case
            when before.is_candidate then 'moved_in'
            when before.firm_id is null and q.reason is not null then 'quarantined_last_year'
            when before.firm_id is null then 'absent_last_year'
            else 'now_meets_' || array_to_string(failed.parts, '_and_')
        end as reason_code,
        q.reason as quarantine_reason,
        failed.parts,
        now.sales_jpy,
        now.employees,
        now.connector_degree,
        now.hub_degree,
        before.size_class,
        before.composite_rank,
        before.prefecture_code as other_prefecture_code,
        null::date as close_date,
        null::varchar as close_cause,
        null::varchar as successor_corporate_number,
        before.register_close_date
    from current_year as now
    left join previous_year as before using (firm_id)
    left join failed on failed.fiscal_year = $fiscal_year - 1 and failed.firm_id = now.firm_id
    left join quarantined as q
        on q.firm_id = now.firm_id and q.fiscal_year = $fiscal_year - 1
    where now.is_candidate
        and (not coalesce(before.is_candidate, false) or before.prefecture_code <> now.prefecture_code)
),

departed as (
    select
        -- The list it left: last year's prefecture's.
        before.prefecture_code,
        before.prefecture_name,
        before.firm_id,
        before.corporate_number,
        before.vendor_code,
        before.legal_form,
        coalesce(now.name, before.name) as name,
        'left' as change,
        case
            when now.prefecture_code <> before.prefecture_code then 'moved_out'
            when now.firm_id is null and q.reason is not null then 'quarantined_this_year'
            when now.firm_id is null and closed.close_date is not null then 'closed'
            when now.firm_id is null then 'absent_this_year'
            else 'fails_' || array_to_string(failed.parts, '_and_')
        end as reason_code,
        q.reason as quarantine_reason,
        failed.parts,
        now.sales_jpy,
        now.employees,
        now.connector_degree,
        now.hub_degree,
        now.size_class,
        now.composite_rank,
        now.prefecture_code as other_prefecture_code,
        closed.close_date,
        closed.close_cause,
        closed.successor_corporate_number,
        now.register_close_date
    from previous_year as before
    left join current_year as now using (firm_id)
    left join failed on failed.fiscal_year = $fiscal_year and failed.firm_id = before.firm_id
    left join quarantined as q
        on q.firm_id = before.firm_id and q.fiscal_year = $fiscal_year
    left join closures as closed on now.firm_id is null and closed.corporate_number = before.corporate_number
    where before.is_candidate
        and (not coalesce(now.is_candidate, false) or now.prefecture_code <> before.prefecture_code)
),

changes as (
    select * from entered
    union all
    select * from departed
),

named as (
    select changes.*, other.prefecture_name as other_prefecture_name
    from changes
    left join prefectures as other on other.prefecture_code = changes.other_prefecture_code
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
        when 'moved_in' then '本社所在地が ' || other_prefecture_code || ' ' || other_prefecture_name
            || ' から移った（前年度も候補）'
        when 'moved_out' then '本社所在地が ' || other_prefecture_code || ' ' || other_prefecture_name || ' に移った'
        when 'closed' then '今年度のデータになく、国税庁の法人番号公表サイトでは ' || strftime(close_date, '%Y-%m-%d')
            || ' に閉鎖（' || coalesce(close_cause_name(close_cause), '事由 ' || coalesce(close_cause, '不明')) || '）'
            || coalesce('、承継法人 ' || nullif(successor_corporate_number, ''), '')
        when 'fails_size_and_degree' then '規模要件と度数要件を満たさなくなった'
        when 'fails_size' then '規模要件を満たさなくなった（売上高 ' || format('{:,}', sales_jpy)
            || ' 円、従業員 ' || employees || ' 人）'
        when 'fails_degree' then '度数要件を満たさなくなった（コネクター度 '
            || coalesce(printf('%.6f', connector_degree), '—') || '、ハブ度 '
            || coalesce(printf('%.6f', hub_degree), '—') || '）'
        -- Any other set of parts (size class, register, composite), named part by part.
        else array_to_string(list_transform(parts, lambda part: case part
                when 'size' then '規模要件'
                when 'size_class' then '規模区分の要件（' || coalesce(size_class, '—') || ' は除外）'
                when 'register' then '存続の要件（国税庁の法人番号公表サイトでは '
                    || coalesce(strftime(register_close_date, '%Y-%m-%d'), '—') || ' に閉鎖）'
                when 'degree' then '度数要件'
                when 'composite' then '総合評価の上位N（県内 ' || coalesce(cast(composite_rank as varchar), '—') || ' 位）'
            end), 'と')
            || case change when 'entered' then 'を新たに満たした' else 'を満たさなくなった' end
    end as reason,
    vendor_code,
    legal_form
from named
where exists (select 1 from previous_year)
order by prefecture_code, change, firm_id
