-- Staged tables from before they became views of the checked rows; they are recomputable.
select table_name
from information_schema.tables
where table_schema = 'main'
    and table_type = 'BASE TABLE'
    and table_name in ('staged_firms', 'staged_transactions')
