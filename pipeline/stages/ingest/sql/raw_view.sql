-- The raw view of one input file: row_number (the CSV record or the Parquet row, from the row's
-- place in the Parquet file it reads) and the contract's columns, a missing optional one as
-- null; a CSV copy's empty records are skipped. Filled in by pipeline/stages/ingest/assets.py (a view takes no
-- parameters).
create or replace view {view} as
select file_row_number + {first_row} as row_number, {columns}
from read_parquet({parquet}, file_row_number = true)
{where}
