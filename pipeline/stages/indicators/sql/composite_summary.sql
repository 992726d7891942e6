-- Firms scored for the composite, and the reasons the others are not, most frequent first.
with outcomes as (
    select coalesce(composite_reason, 'scored') as outcome
    from composite_indicators
    where fiscal_year = $fiscal_year
)

select outcome, count(*) as firms
from outcomes
group by outcome
order by outcome <> 'scored', firms desc, outcome
