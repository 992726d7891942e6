-- The recorded input file of one kind for one fiscal year.
select source_file, file_format, rows_read
from input_files
where fiscal_year = $fiscal_year and kind = $kind
