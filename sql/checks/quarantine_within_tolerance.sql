-- Blocking: an input file whose quarantined share of rows or of yen exceeds the tolerance.
select source_file, rows_read, rows_quarantined, row_share, yen_share
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
        round(quarantined.rows / greatest(input_files.rows_read, 1), 6) as row_share,
        round(quarantined.yen / greatest(quarantined.yen + staged.yen, 1), 6) as yen_share
    from input_files
    join quarantined using (kind)
    join staged using (kind)
    where input_files.fiscal_year = $fiscal_year
)
where kind = $kind and (row_share > $tolerance or yen_share > $tolerance)
