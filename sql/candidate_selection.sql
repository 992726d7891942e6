-- The selection rule (contract §4) applied to every firm; thresholds come from the rule in force.
with degrees as (
    select * from firm_degrees where fiscal_year = $fiscal_year
),

tests as (
    select
        degrees.*,
        prefectures.prefecture_name,
        sales_jpy >= $min_sales_jpy and employees >= $min_employees as meets_size,
        coalesce(connector_degree >= $min_connector_degree, false) as meets_connector,
        coalesce(hub_degree >= $min_hub_degree, false) as meets_hub
    from degrees
    join prefectures using (prefecture_code)
)

select
    *,
    meets_size and (meets_connector or meets_hub) as is_candidate
from tests
