-- Legal size class of every staged firm: 小規模企業者, 中小企業者 (中小企業基本法 and
-- its cabinet order), 中堅企業 (改正産業競争力強化法 2024: ≤ 2,000 employees, not 中小) or 大企業;
-- 'unknown' with a reason where the data cannot decide. Never a guess: when the JSIC codes
-- allow more than one of the law's industry categories, every one is tried, and a class
-- stands only if they all agree.
with firms as (
    select fiscal_year, firm_id, prefecture_code, jsic_division, jsic_major, employees, capital_jpy
    from staged_firms
    where fiscal_year = $fiscal_year
),

-- The law's industry categories: capital limit, employee limit, 小規模 limit.
categories (category, category_name, capital_limit, employee_limit, small_limit) as (
    values
        ('other', '製造業・建設業・運輸業その他', 300000000, 300, 20),
        ('wholesale', '卸売業', 100000000, 100, 5),
        ('retail', '小売業', 50000000, 50, 5),
        ('services', 'サービス業', 50000000, 100, 5),
        ('lodging_entertainment', '宿泊業・娯楽業', 50000000, 100, 20),
        ('rubber', 'ゴム製品製造業（タイヤ・チューブ、工業用ベルトを除く）', 300000000, 900, 20),
        ('software', 'ソフトウエア業・情報処理サービス業', 300000000, 300, 5),
        ('ryokan', '旅館業', 50000000, 200, 20)
),

-- JSIC (Rev. 14) 中分類 ranges → category, after 中小企業庁's industry table. The cabinet
-- order's exceptions need finer codes: tyres (191) and industrial belts (1931) are ordinary
-- manufacturing, other rubber products (19) are not; 旅館，ホテル (751) is 旅館業, other
-- lodging (75) is not. A reading applies when the firm's code could lie in its `within`
-- codes and not wholly in its `outside` codes; a shorter code may allow several readings.
industries (jsic_division, major_from, major_to, category, within, outside) as (
    values
        ('A', 1, 2, 'other', null, null), ('B', 3, 4, 'other', null, null),
        ('C', 5, 5, 'other', null, null), ('D', 6, 8, 'other', null, null),
        ('E', 9, 18, 'other', null, null),
        ('E', 19, 19, 'other', ['191', '1931'], null), ('E', 19, 19, 'rubber', null, ['191', '1931']),
        ('E', 20, 32, 'other', null, null),
        ('F', 33, 36, 'other', null, null),
        ('G', 37, 37, 'other', null, null), ('G', 38, 38, 'services', null, null),
        ('G', 39, 39, 'software', null, null), ('G', 40, 41, 'services', null, null),
        ('H', 42, 49, 'other', null, null),
        ('I', 50, 55, 'wholesale', null, null), ('I', 56, 61, 'retail', null, null),
        ('J', 62, 67, 'other', null, null),
        ('K', 68, 70, 'services', null, null), ('L', 71, 74, 'services', null, null),
        ('M', 75, 75, 'ryokan', ['751'], null), ('M', 75, 75, 'lodging_entertainment', null, ['751']),
        ('M', 76, 77, 'retail', null, null),
        ('N', 78, 79, 'services', null, null), ('N', 80, 80, 'lodging_entertainment', null, null),
        ('O', 81, 82, 'services', null, null), ('P', 83, 85, 'services', null, null),
        ('Q', 86, 87, 'services', null, null), ('R', 88, 96, 'services', null, null),
        ('S', 97, 98, 'other', null, null), ('T', 99, 99, 'other', null, null)
),

coded as (
    select
        *,
        case when regexp_full_match(jsic_major, '[0-9]{2,4}') then jsic_major end as code
    from firms
),

-- The categories each (division, code) pair allows, worked out once per pair: there are a
-- few hundred pairs and two million firms.
pairs as (
    select distinct jsic_division, jsic_major, code from coded
),

allowed as (
    select pairs.jsic_division, pairs.jsic_major, categories.*
    from pairs
    join industries
        on industries.jsic_division = pairs.jsic_division
        and (
            pairs.code is null
            or (
                cast(left(pairs.code, 2) as integer) between industries.major_from and industries.major_to
                and (
                    industries.within is null
                    or len(list_filter(industries.within, lambda w: starts_with(w, pairs.code)
                        or starts_with(pairs.code, w))) > 0
                )
                and (
                    industries.outside is null
                    or len(list_filter(industries.outside, lambda o: starts_with(pairs.code, o))) = 0
                )
            )
        )
    join categories using (category)
    where pairs.jsic_major is null or pairs.code is not null
),

-- How many of the law's categories each (division, code) pair allows. Almost every firm's
-- pair allows exactly one, and its class is read straight from that category's limits; only
-- the few whose pair allows several are read once per category and must agree.
counted as (
    select *, count(*) over (partition by jsic_division, jsic_major) as categories
    from allowed
),

single as (
    select * from counted where categories = 1
),

several as (
    select * from counted where categories > 1
),

-- One row per (firm, category its codes allow), for the firms of several categories; without
-- a code, every category of its division.
readings as (
    select
        coded.firm_id,
        several.category,
        several.category_name,
        several.employee_limit,
        size_reading(coded.employees, coded.capital_jpy, several.small_limit, several.employee_limit,
            several.capital_limit) as reading
    from coded
    join several
        on several.jsic_division = coded.jsic_division
        and several.jsic_major is not distinct from coded.jsic_major
),

agreed as (
    select
        firm_id,
        min(reading) as reading,
        max(reading) as other_reading,
        min(category) as category,
        max(category) as other_category,
        max(employee_limit) filter (where reading = 'unknown') as employee_limit
    from readings
    group by firm_id
),

-- The readings spelled out, only for the few firms whose readings disagree.
alternatives as (
    select
        firm_id,
        string_agg(distinct category_name || ' → ' || reading, '、' order by category_name || ' → ' || reading)
            as alternatives
    from readings
    where firm_id in (select firm_id from agreed where reading <> other_reading)
    group by firm_id
),

-- Every firm with what its categories say: one category read directly, several agreed, or
-- none (a code outside its division: no row in either).
outcomes as (
    select
        coded.*,
        true as categorised,
        single.category,
        single.category as other_category,
        size_reading(coded.employees, coded.capital_jpy, single.small_limit, single.employee_limit,
            single.capital_limit) as reading,
        size_reading(coded.employees, coded.capital_jpy, single.small_limit, single.employee_limit,
            single.capital_limit) as other_reading,
        single.employee_limit,
        null::varchar as alternatives
    from coded
    join single
        on single.jsic_division = coded.jsic_division
        and single.jsic_major is not distinct from coded.jsic_major

    union all

    select
        coded.*,
        agreed.firm_id is not null as categorised,
        agreed.category,
        agreed.other_category,
        agreed.reading,
        agreed.other_reading,
        agreed.employee_limit,
        alternatives.alternatives
    from coded
    left join agreed using (firm_id)
    left join alternatives using (firm_id)
    where not exists (
        select 1 from single
        where single.jsic_division = coded.jsic_division
            and single.jsic_major is not distinct from coded.jsic_major
    )
)

select
    fiscal_year,
    firm_id,
    prefecture_code,
    jsic_division,
    jsic_major,
    employees,
    capital_jpy,
    case when category = other_category then category end as size_category,
    case when reading = other_reading and reading <> 'unknown' then reading
        else 'unknown' end as size_class,
    case
        when jsic_major is not null and code is null
            then 'jsic_major「' || jsic_major || '」が 2〜4 桁の産業分類番号ではないため業種区分を決められない'
        when not categorised
            then 'jsic_major ' || jsic_major || ' は大分類 ' || jsic_division || ' に属さないため業種区分を決められない'
        when reading = other_reading and reading = 'unknown'
            then 'capital_jpy がなく、従業員数 ' || employees || ' 人が中小企業の上限 '
                || employee_limit || ' 人を超えるため判定できない'
        when reading <> other_reading
            then case when jsic_major is null then 'jsic_major がなく、' else '分類番号 ' || jsic_major || ' では' end
                || '業種区分によって判定が分かれる（' || alternatives || '）'
    end as size_class_reason
from outcomes
