-- Every blocking check of the asset passed on the version it holds.
update asset_versions set checked = true where fiscal_year = $fiscal_year and asset = $asset
