-- The selection rule (contract §4) applied to every firm; thresholds come from the rule in force.
-- Issue 7 adds the size class, which the rule may restrict (excluded_size_classes).
with degrees as (
    select * from firm_degrees where fiscal_year = $fiscal_year
),

tests as (
    select
        degrees.*,
        prefectures.prefecture_name,
        classes.size_class,
        classes.size_class_reason,
        degrees.sales_jpy >= $min_sales_jpy and degrees.employees >= $min_employees as meets_size,
        not list_contains($excluded_size_classes, classes.size_class) as meets_size_class,
        coalesce(degrees.connector_degree >= $min_connector_degree, false) as meets_connector,
        coalesce(degrees.hub_degree >= $min_hub_degree, false) as meets_hub
    from degrees
    join prefectures using (prefecture_code)
    join firm_size_classes as classes using (fiscal_year, corporate_number)
)

select
    *,
    meets_size and meets_size_class and (meets_connector or meets_hub) as is_candidate
from tests
