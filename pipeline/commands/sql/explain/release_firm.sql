-- One firm's published row in a release (its firm_degrees.parquet), for `explain` when the
-- warehouse holds another state: by its 法人番号, or by its vendor code when that was asked
-- ($corporate_number null; a 法人 is found by its code too, as in the warehouse). A release
-- from before firms had vendor codes reads with vendor_code and legal_form null, so a code finds
-- nothing there. meets_size and meets_size_class are not published: they are the release rule's
-- parts over the published values, from the macros the selection uses (contract_rule.sql).
select
    *,
    meets_size(sales_jpy, employees, $min_sales_jpy, $min_employees) as meets_size,
    meets_size_class(size_class, $excluded_size_classes) as meets_size_class
from (
    select * from read_parquet($firm_degrees)
    union all by name
    select cast(null as varchar) as vendor_code, cast(null as varchar) as legal_form where false
)
where corporate_number = $corporate_number or vendor_code = $vendor_code
