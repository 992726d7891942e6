-- The input files of a fiscal year, as the manifest lists them.
select source_file, file_format, encoding, size_bytes, rows_read, sha256
from input_files
where fiscal_year = $fiscal_year
order by kind
