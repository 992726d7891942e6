-- The register version staging took head offices from (register_prefectures.sql).
insert into prefecture_sources values ($fiscal_year, $register_version)
