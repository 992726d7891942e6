-- The evidence's counterparties as resolved against the firm register, in evidence line order.
select
    line,
    direction,
    corporate_number,
    name,
    amount_jpy,
    evidence_prefecture_code,
    registered_prefecture_code,
    in_register,
    prefecture_code
from assess_counterparties
order by line
