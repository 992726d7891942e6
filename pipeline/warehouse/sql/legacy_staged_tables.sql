-- Tables and views of an older shape that a newer pipeline replaces; all are recomputable.
-- Staged tables became views of the checked rows; checked transactions gained integer keys;
-- staged firms gained jsic_major, then the multi-year columns; checked transactions gained
-- both prefectures, then amount_estimated.
with columns as (
    select table_name, column_name from information_schema.columns where table_schema = 'main'
)

select table_name, table_type
from information_schema.tables
where table_schema = 'main'
    and (
        (table_type = 'BASE TABLE' and table_name in ('staged_firms', 'staged_transactions'))
        or (
            table_name in ('checked_transactions', 'staged_transactions')
            and exists (select 1 from columns where table_name = 'checked_transactions')
            and not exists (
                select 1 from columns
                where table_name = 'checked_transactions' and column_name = 'amount_estimated'
            )
        )
        or (
            table_type = 'VIEW' and table_name = 'staged_firms'
            and not exists (
                select 1 from columns
                where table_name = 'staged_firms' and column_name = 'operating_profit_jpy_y0'
            )
        )
    )
