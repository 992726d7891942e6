-- The malformed lines of the last register read: file, line, DuckDB's reason.
select s.file_path, e.line, e.error_type || ': ' || e.error_message || ' (' || left(e.csv_line, 80) || ')'
from reject_errors as e
join reject_scans as s using (scan_id, file_id)
order by s.file_path, e.line
