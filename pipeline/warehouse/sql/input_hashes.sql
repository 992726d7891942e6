-- The SHA-256 of each input file ingested for a fiscal year.
select kind, sha256 from input_files where fiscal_year = $fiscal_year and sha256 is not null
