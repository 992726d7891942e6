select count(*) > 0 from duckdb_tables() where table_name = 'register_match_inputs' and not temporary
