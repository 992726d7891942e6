-- Connector and hub degree of every staged firm, and its rank in its prefecture (contract §3).
-- A prefecture whose denominator is 0 gives null degrees and null ranks.
with flows as (
    select * from firm_flows where fiscal_year = $fiscal_year
),

totals as (
    select * from prefecture_totals where fiscal_year = $fiscal_year
),

degrees as (
    select
        flows.fiscal_year,
        flows.prefecture_code,
        flows.corporate_number,
        flows.name,
        flows.jsic_division,
        flows.sales_jpy,
        flows.employees,
        flows.out_of_prefecture_sales_jpy,
        flows.in_prefecture_purchases_jpy,
        share_of(flows.out_of_prefecture_sales_jpy, totals.out_of_prefecture_sales_jpy) as connector_degree,
        share_of(flows.in_prefecture_purchases_jpy, totals.in_prefecture_purchases_jpy) as hub_degree
    from flows
    join totals using (prefecture_code)
)

select
    *,
    case
        when connector_degree is not null
            then rank() over (partition by prefecture_code order by connector_degree desc)
    end as connector_rank,
    case
        when hub_degree is not null
            then rank() over (partition by prefecture_code order by hub_degree desc)
    end as hub_rank
from degrees
