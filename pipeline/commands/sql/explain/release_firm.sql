-- One firm's published row in a release (its firm_degrees.parquet), for `explain` when the
-- warehouse holds another state. meets_size and meets_size_class are not published: they are
-- the release rule's tests of the published values, written as sql/candidate_selection.sql
-- writes them.
select
    *,
    sales_jpy >= $min_sales_jpy and employees >= $min_employees as meets_size,
    not list_contains($excluded_size_classes, size_class) as meets_size_class
from read_parquet($firm_degrees)
where corporate_number = $corporate_number
