-- One row per loaded input file, so rows read can be reconciled with staged + quarantined.
insert into input_files
select $fiscal_year, $kind, $source_file, $file_format, $encoding, $size_bytes, $rows_read, $sha256
