-- A Parquet input that has a column of its own named file_row_number, which would hide the row
-- index its raw view numbers rows by: its contract columns, copied in order. Filled in by
-- pipeline/stages/ingest/assets.py (a COPY target takes no parameter).
copy (select {columns} from read_parquet($parquet)) to {target} (format parquet, compression uncompressed)
