-- The raw views and tables of one input kind and fiscal year (e.g. 'transactions_2025').
select table_name, table_type
from information_schema.tables
where table_schema = 'raw' and (table_name = $prefix or table_name = $prefix || '_rows')
order by table_type = 'VIEW' desc
