-- Firms of one 一覧 version per prefecture (a firm two plans designate counts once; a 個人, which
-- has no 法人番号, by its vendor code).
select prefecture_code, count(distinct firm_id) as firms
from ichiran_version($path)
group by prefecture_code
order by prefecture_code
