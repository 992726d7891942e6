-- The year's reconciliation in figures, for metadata and the progress line.
select
    count(*) as firms,
    count(*) filter (where found) as found,
    count(*) filter (where register_status = 'not_found') as not_found,
    count(*) filter (where register_status = 'deleted') as deleted,
    count(*) filter (where closed_before_year_end) as closed_before_year_end,
    count(*) filter (where merged) as merged,
    count(*) filter (where prefecture_differs) as prefecture_differs,
    count(*) filter (where name_differs) as name_differs,
    count(*) filter (where used_prefecture_code <> vendor_prefecture_code) as staged_in_register_prefecture
from firm_register_matches
where fiscal_year = $fiscal_year
