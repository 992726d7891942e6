-- Every designation interval of one firm, by 法人番号 (a 個人 has none and is never found), and
-- whether it holds on $as_of.
select
    *,
    cast($as_of as date) between listed_from and listed_until as in_force
from read_parquet($history)
where corporate_number = $corporate_number
order by listed_from, plan_id
