-- Every check outcome of one run, blocking failures first.
select asset, check_name, blocking, passed, summary, details, checked_at
from check_results
where fiscal_year = $fiscal_year and run_id = $run_id
order by passed, not blocking, checked_at
