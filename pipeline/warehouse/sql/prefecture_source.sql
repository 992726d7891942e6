-- The register version the year's staging took head offices from (none: the firms file's).
select register_version from prefecture_sources where fiscal_year = $fiscal_year
