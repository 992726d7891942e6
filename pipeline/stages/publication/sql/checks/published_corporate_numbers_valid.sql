-- Blocking: in each published file, every corporate number has a valid check digit and none repeats.
with published as (
    select 'national_candidates' as file, corporate_number
    from read_parquet($national_candidates)
    union all
    select 'firm_degrees', corporate_number
    from read_parquet($firm_degrees)
)

select file, corporate_number, count(*) as occurrences, is_corporate_number(corporate_number) as valid
from published
group by file, corporate_number
having count(*) > 1 or not is_corporate_number(corporate_number)
order by file, corporate_number
