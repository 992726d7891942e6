-- The held register in figures, for the asset's metadata.
select
    (select count(*) from register_rows) as rows,
    count(*) as latest_rows,
    count(*) filter (where close_date is not null) as closed,
    count(*) filter (where successor_corporate_number is not null) as merged,
    (select count(*) from register_deletions) as deleted
from corporate_register
