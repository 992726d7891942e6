-- A firm's published row in a release, by its vendor code (a release from before firms had
-- vendor codes has no such column: explain_release.py does not ask it); as release_firm.sql.
select
    *,
    meets_size(sales_jpy, employees, $min_sales_jpy, $min_employees) as meets_size,
    meets_size_class(size_class, $excluded_size_classes) as meets_size_class
from read_parquet($firm_degrees)
where vendor_code = $vendor_code
