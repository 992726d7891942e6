-- The data version of one asset at the year's last good publication.
insert into asset_versions select $fiscal_year, $asset, $data_version
