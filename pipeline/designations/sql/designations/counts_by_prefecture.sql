-- Firms of one 一覧 version per prefecture (a firm two plans designate counts once).
select prefecture_code, count(distinct corporate_number) as firms
from read_parquet($path)
group by prefecture_code
order by prefecture_code
