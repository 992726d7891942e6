-- Blocking: an input file whose quarantined share of rows or of yen exceeds the tolerance.
-- Compared exactly in integers: the tolerance comes as a whole number of millionths.
select source_file, rows_read, rows_quarantined, quarantined_yen, checked_yen
from (
    with quarantined as (
        select 'firms' as kind, count(*) as rows, coalesce(sum(yen), 0) as yen
        from quarantined_firms where fiscal_year = $fiscal_year
        union all
        select 'transactions', count(*), coalesce(sum(yen), 0)
        from quarantined_transactions where fiscal_year = $fiscal_year
    ),

    staged as (
        select 'firms' as kind, coalesce(sum(sales_jpy), 0) as yen
        from staged_firms where fiscal_year = $fiscal_year
        union all
        select 'transactions', coalesce(sum(amount_jpy), 0)
        from checked_transactions where fiscal_year = $fiscal_year and reason is null
    )

    select
        input_files.source_file,
        input_files.kind,
        input_files.rows_read,
        quarantined.rows as rows_quarantined,
        cast(quarantined.yen as hugeint) as quarantined_yen,
        cast(quarantined.yen as hugeint) + cast(staged.yen as hugeint) as checked_yen
    from input_files
    join quarantined using (kind)
    join staged using (kind)
    where input_files.fiscal_year = $fiscal_year
)
where kind = $kind
    and (
        cast(rows_quarantined as hugeint) * 1000000 > cast($tolerance_millionths as hugeint) * rows_read
        or quarantined_yen * 1000000 > cast($tolerance_millionths as hugeint) * checked_yen
    )
