-- The malformed lines of the last register read: file, line, DuckDB's reason and the line's
-- start (line breaks made spaces: one line each). A byte that does not decode is reported by
-- the decoder (reading.py), which finds it in every column, not only in those kept.
select
    s.file_path,
    e.line,
    e.error_type || ': ' || e.error_message || ' ('
        || trim(regexp_replace(left(e.csv_line, 80), '[\r\n]+', ' ', 'g')) || ')'
from register_reject_errors as e
join register_reject_scans as s using (scan_id, file_id)
where e.error_type <> 'INVALID ENCODING'
order by s.file_path, e.line
