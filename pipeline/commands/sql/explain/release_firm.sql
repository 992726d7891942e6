-- One firm's published row in a release (its firm_degrees.parquet), for `explain` when the
-- warehouse holds another state. meets_size and meets_size_class are not published: they are
-- the release rule's parts over the published values, from the macros the selection uses
-- (contract_rule.sql).
select
    *,
    meets_size(sales_jpy, employees, $min_sales_jpy, $min_employees) as meets_size,
    meets_size_class(size_class, $excluded_size_classes) as meets_size_class
from read_parquet($firm_degrees)
where corporate_number = $corporate_number
