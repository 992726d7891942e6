-- One asset check's outcome in a run, for the validation report.
insert into check_results
select $fiscal_year, $run_id, $asset, $check_name, $blocking, $passed, $summary, $details, now()
