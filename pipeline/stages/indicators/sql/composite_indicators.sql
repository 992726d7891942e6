-- The six indicators of the 地域未来牽引企業 composite score (METI, FY2019 method), their
-- ranks within the prefecture and the T-scores (偏差値) of those ranks. The weights are the
-- rule's, so the weighted sum is taken in candidate_selection.sql. Reads the temp view
-- composite_degrees (prefecture_code, firm_id and the two degrees: firm_degrees' for
-- the pipeline, the adjusted ones for `assess`) and the year's staged firms.
--   connector_degree, hub_degree                 as firm_degrees has them
--   profit_contribution_jpy    = mean of operating_profit_jpy_y0..y2
--   employment_contribution    = mean of employees_y0..y2
--   profit_growth              = geometric mean of y2→y1 and y1→y0 growth − 1 = √(y0 / y2) − 1,
--                                defined when operating profit is > 0 in all three years
--   employment_growth          = the same for employees, defined when all three are > 0
-- A firm is scored when all six are defined; the ranked population of a prefecture is its
-- scored firms. rank: 1 = highest, ties share the average rank. T = 50 + 10 (mean rank − rank)
-- / population SD of the ranks; 50 where the SD is 0. Ranks are whole or halves, so the SD is
-- taken from exact integer sums (2 × rank), which keeps the output byte-identical run to run.
with firms as (
    select
        degrees.prefecture_code,
        degrees.firm_id,
        degrees.connector_degree,
        degrees.hub_degree,
        staged.operating_profit_jpy_y0 as p0,
        staged.operating_profit_jpy_y1 as p1,
        staged.operating_profit_jpy_y2 as p2,
        staged.employees_y0 as e0,
        staged.employees_y1 as e1,
        staged.employees_y2 as e2
    from composite_degrees as degrees
    join staged_firms as staged
        on staged.fiscal_year = $fiscal_year and staged.firm_id = degrees.firm_id
),

indicators as (
    select
        prefecture_code,
        firm_id,
        connector_degree,
        hub_degree,
        (p0 + p1 + p2) / 3 as profit_contribution_jpy,
        (e0 + e1 + e2) / 3 as employment_contribution,
        case when p0 > 0 and p1 > 0 and p2 > 0 then sqrt(p0 / p2) - 1 end as profit_growth,
        case when e0 > 0 and e1 > 0 and e2 > 0 then sqrt(e0 / e2) - 1 end as employment_growth,
        nullif(concat_ws(
            '; ',
            case when connector_degree is null then 'connector_degree undefined (prefecture denominator 0)' end,
            case when hub_degree is null then 'hub_degree undefined (prefecture denominator 0)' end,
            case
                when p0 is null or p1 is null or p2 is null
                    then 'missing operating_profit_jpy_y0..y2'
                when not (p0 > 0 and p1 > 0 and p2 > 0)
                    then 'profit_growth undefined (operating profit ≤ 0 in a year)'
            end,
            case
                when e0 is null or e1 is null or e2 is null then 'missing employees_y0..y2'
                when not (e0 > 0 and e1 > 0 and e2 > 0)
                    then 'employment_growth undefined (0 employees in a year)'
            end
        ), '') as composite_reason
    from firms
),

scored as (
    select * from indicators where composite_reason is null
),

-- Twice the average rank, a whole number: RANK() (1 + the firms above) plus the count up to and
-- including the tied (the firms above + the ties), over one sorted window per indicator.
ranked as (
    select
        *,
        count(*) over prefecture as scored_firms,
        rank() over by_connector + count(*) over by_connector as connector_rank2,
        rank() over by_hub + count(*) over by_hub as hub_rank2,
        rank() over by_profit + count(*) over by_profit as profit_rank2,
        rank() over by_employment + count(*) over by_employment as employment_rank2,
        rank() over by_profit_growth + count(*) over by_profit_growth as profit_growth_rank2,
        rank() over by_employment_growth + count(*) over by_employment_growth as employment_growth_rank2
    from scored
    window
        prefecture as (partition by prefecture_code),
        by_connector as (partition by prefecture_code order by connector_degree desc),
        by_hub as (partition by prefecture_code order by hub_degree desc),
        by_profit as (partition by prefecture_code order by profit_contribution_jpy desc),
        by_employment as (partition by prefecture_code order by employment_contribution desc),
        by_profit_growth as (partition by prefecture_code order by profit_growth desc),
        by_employment_growth as (partition by prefecture_code order by employment_growth desc)
),

-- SD of ranks r = k/2 from exact integer sums; see rank_sd in macros.sql.
spreads as (
    select
        *,
        rank_sd(sum(cast(connector_rank2 as hugeint) * connector_rank2) over prefecture, scored_firms)
            as connector_sd,
        rank_sd(sum(cast(hub_rank2 as hugeint) * hub_rank2) over prefecture, scored_firms) as hub_sd,
        rank_sd(sum(cast(profit_rank2 as hugeint) * profit_rank2) over prefecture, scored_firms)
            as profit_sd,
        rank_sd(sum(cast(employment_rank2 as hugeint) * employment_rank2) over prefecture, scored_firms)
            as employment_sd,
        rank_sd(
            sum(cast(profit_growth_rank2 as hugeint) * profit_growth_rank2) over prefecture, scored_firms
        ) as profit_growth_sd,
        rank_sd(
            sum(cast(employment_growth_rank2 as hugeint) * employment_growth_rank2) over prefecture,
            scored_firms
        ) as employment_growth_sd
    from ranked
    window prefecture as (partition by prefecture_code)
)

select
    $fiscal_year as fiscal_year,
    indicators.prefecture_code,
    indicators.firm_id,
    indicators.profit_contribution_jpy,
    indicators.employment_contribution,
    indicators.profit_growth,
    indicators.employment_growth,
    spreads.scored_firms,
    spreads.connector_rank2 / 2 as connector_rank_avg,
    spreads.hub_rank2 / 2 as hub_rank_avg,
    spreads.profit_rank2 / 2 as profit_rank_avg,
    spreads.employment_rank2 / 2 as employment_rank_avg,
    spreads.profit_growth_rank2 / 2 as profit_growth_rank_avg,
    spreads.employment_growth_rank2 / 2 as employment_growth_rank_avg,
    t_score(spreads.connector_rank2, spreads.scored_firms, spreads.connector_sd) as connector_t,
    t_score(spreads.hub_rank2, spreads.scored_firms, spreads.hub_sd) as hub_t,
    t_score(spreads.profit_rank2, spreads.scored_firms, spreads.profit_sd) as profit_t,
    t_score(spreads.employment_rank2, spreads.scored_firms, spreads.employment_sd) as employment_t,
    t_score(spreads.profit_growth_rank2, spreads.scored_firms, spreads.profit_growth_sd) as profit_growth_t,
    t_score(spreads.employment_growth_rank2, spreads.scored_firms, spreads.employment_growth_sd)
        as employment_growth_t,
    indicators.composite_reason
from indicators
left join spreads using (prefecture_code, firm_id)
