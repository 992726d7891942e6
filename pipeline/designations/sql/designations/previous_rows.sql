-- The previous 一覧 version's firms and plans ($path: its ichiran.parquet), with the date each
-- has been designated since.
select firm_id, plan_id, designated_from from ichiran_version($path)
