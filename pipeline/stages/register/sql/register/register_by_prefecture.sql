select coalesce(nullif(prefecture_code, ''), '国外') as prefecture, count(*) as firms
from corporate_register group by all order by prefecture
