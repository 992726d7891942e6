-- Each staged firm of the year with a 法人番号 against the register: found or not (deleted by 99 削除, or
-- never there), closed before the fiscal year's end (31 March of the next year), merged into
-- which successor, the register's head-office prefecture and 商号 against the vendor's, and the
-- prefecture staging used (the register's under register_policy register_prefecture).
-- 商号 are compared with full-width letters, digits and spaces folded and spaces removed
-- (names that are equal as given are not folded). Not sorted: the publication sorts
-- (published_matches.sql), and sorting 2M rows of 23 columns on insert took 1.8 s.
select
    f.fiscal_year,
    f.corporate_number,
    f.name as vendor_name,
    f.vendor_prefecture_code,
    r.corporate_number is not null as found,
    case
        when r.corporate_number is null and d.corporate_number is not null then 'deleted'
        when r.corporate_number is null then 'not_found'
        when r.close_date is not null then 'closed'
        else 'active'
    end as register_status,
    r.name as register_name,
    r.prefecture_code as register_prefecture_code,
    r.prefecture_name as register_prefecture_name,
    r.city_name as register_city_name,
    r.kind as register_kind,
    r.close_date,
    r.close_cause,
    close_cause_name(r.close_cause) as close_cause_name,
    coalesce(r.close_date <= make_date($fiscal_year + 1, 3, 31), false) as closed_before_year_end,
    r.successor_corporate_number,
    coalesce(r.close_cause = '11' or r.successor_corporate_number is not null, false) as merged,
    coalesce(r.prefecture_code <> f.vendor_prefecture_code, false) as prefecture_differs,
    -- equal names first: the folding (translate) is costly, and a CASE folds only the others
    case
        when r.name is null or f.name is null or r.name = f.name then false
        else replace(replace(ascii_text(r.name), ' ', ''), '　', '')
            <> replace(replace(ascii_text(f.name), ' ', ''), '　', '')
    end as name_differs,
    r.process as register_process,
    r.update_date as register_update_date,
    r.source_file as register_source_file,
    $register_date as register_date,
    f.prefecture_code as used_prefecture_code
from staged_firms as f
left join corporate_register as r using (corporate_number)
left join register_deletions as d using (corporate_number)
-- A 個人 has no 法人番号 and is not in the register: it has no row here.
where f.fiscal_year = $fiscal_year and f.corporate_number is not null
