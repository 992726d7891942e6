-- The raw view of one input kind and fiscal year (e.g. 'transactions_2025'), and the table of
-- parsed CSV rows that warehouses made before the CSV copies were kept as Parquet still hold.
select table_name, table_type
from information_schema.tables
where table_schema = 'raw' and (table_name = $prefix or table_name = $prefix || '_rows')
order by table_type = 'VIEW' desc
