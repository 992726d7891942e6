-- Staging's head offices are the firms file's until record_prefecture_source says otherwise.
delete from prefecture_sources where fiscal_year = $fiscal_year
