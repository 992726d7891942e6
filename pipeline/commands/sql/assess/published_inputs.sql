-- The input files the warehouse's fiscal year was computed from, to compare with the live
-- publication's manifest.json.
select source_file, sha256 from input_files where fiscal_year = $fiscal_year order by source_file
