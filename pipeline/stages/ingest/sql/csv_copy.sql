-- A CSV input parsed once, every value as text, into the Parquet copy its raw view reads. Its
-- columns are read by position, so no header name (empty, repeated, or any other) can clash;
-- the copy keeps the contract's columns, by name, and whether the record is empty (every field
-- empty: a line of commas, or a blank line rewritten as one), which the raw view skips. DuckDB
-- keeps insertion order, so a row's place in the copy is its record in the file. Filled in by
-- pipeline/stages/ingest/assets.py (a COPY target takes no parameter).
copy (
    select {columns}, {empty_record} as empty_record
    from read_csv(
        $csv, header = true, auto_detect = false, columns = $positions,
        delim = ',', quote = '"', escape = '"'
    )
) to {target} (format parquet, compression uncompressed)
