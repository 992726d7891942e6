-- Tables of an older shape that a newer pipeline replaces; all of them are recomputable.
-- Staged tables became views of the checked rows; checked transactions gained integer keys.
select table_name, table_type
from information_schema.tables
where table_schema = 'main'
    and (
        (table_type = 'BASE TABLE' and table_name in ('staged_firms', 'staged_transactions'))
        or (
            table_name in ('checked_transactions', 'staged_transactions')
            and exists (
                select 1 from information_schema.columns
                where table_schema = 'main'
                    and table_name = 'checked_transactions'
                    and column_name = 'supplier_corporate_number'
            )
        )
    )
