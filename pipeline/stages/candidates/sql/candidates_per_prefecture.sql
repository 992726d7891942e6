-- Candidates and firms per prefecture (all 47, zero included).
select
    prefectures.prefecture_code,
    prefectures.prefecture_name,
    count(*) filter (where selection.is_candidate) as candidates,
    count(selection.firm_id) as firms
from prefectures
left join candidate_selection as selection
    on selection.prefecture_code = prefectures.prefecture_code
    and selection.fiscal_year = $fiscal_year
group by all
order by prefectures.prefecture_code
