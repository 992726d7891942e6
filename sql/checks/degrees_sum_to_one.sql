-- Blocking: in each prefecture with a non-zero denominator, the degrees sum to 1 ± 1e-9.
with sums as (
    select
        prefecture_code,
        sum(connector_degree) as connector_sum,
        sum(hub_degree) as hub_sum
    from firm_degrees
    where fiscal_year = $fiscal_year
    group by prefecture_code
)

select prefecture_code, connector_sum, hub_sum
from sums
where abs(connector_sum - 1) > 1e-9 or abs(hub_sum - 1) > 1e-9
order by prefecture_code
