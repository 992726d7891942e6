-- The malformed lines of the last register read: file, line, DuckDB's reason and the line's
-- start (line breaks made spaces: one line each).
select
    s.file_path,
    e.line,
    e.error_type || ': ' || e.error_message || ' ('
        || trim(regexp_replace(left(e.csv_line, 80), '[\r\n]+', ' ', 'g')) || ')'
from reject_errors as e
join reject_scans as s using (scan_id, file_id)
order by s.file_path, e.line
