-- The warehouse no longer holds a known version of this asset of the year.
delete from asset_versions where fiscal_year = $fiscal_year and asset = $asset
