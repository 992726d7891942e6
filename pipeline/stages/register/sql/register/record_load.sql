-- The register the tables now hold (the previous record is deleted first); unchecked until its suite passes.
insert into register_loads values ($register_version, $register_date, $files_json, false)
