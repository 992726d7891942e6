-- Blocking: for each input file, rows read = rows staged + rows quarantined.
with counts as (
    select
        'firms' as kind,
        (select count(*) from staged_firms where fiscal_year = $fiscal_year) as staged,
        (select count(*) from quarantined_firms where fiscal_year = $fiscal_year) as quarantined
    union all
    select
        'transactions',
        (select count(*) from checked_transactions where fiscal_year = $fiscal_year and reason is null),
        (select count(*) from quarantined_transactions where fiscal_year = $fiscal_year)
)

select input_files.source_file, input_files.rows_read, counts.staged, counts.quarantined
from input_files
join counts using (kind)
where input_files.fiscal_year = $fiscal_year
    and input_files.kind = $kind
    and input_files.rows_read <> counts.staged + counts.quarantined
