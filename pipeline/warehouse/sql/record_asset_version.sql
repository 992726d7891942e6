-- An asset's data version, written in the transaction that writes its rows; unchecked until
-- its blocking checks pass.
insert into asset_versions (fiscal_year, asset, data_version, checked)
values ($fiscal_year, $asset, $data_version, false)
