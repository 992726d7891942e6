-- The data version of each asset of the year as the warehouse holds it, and whether its
-- blocking checks passed on it.
select asset, data_version, coalesce(checked, false) from asset_versions where fiscal_year = $fiscal_year
