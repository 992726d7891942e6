-- Data versions recorded at the year's last good publication.
select asset, data_version from asset_versions where fiscal_year = $fiscal_year
