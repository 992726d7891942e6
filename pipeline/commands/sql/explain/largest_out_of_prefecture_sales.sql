-- A firm's largest sales to customers outside its prefecture (they make its connector degree).
select
    customer_corporate_number as counterparty,
    firms.name as counterparty_name,
    customer_prefecture_code as counterparty_prefecture_code,
    amount_jpy,
    transactions.amount_estimated,
    transactions.source_file,
    transactions.row_number
from staged_transactions as transactions
left join staged_firms as firms
    on firms.fiscal_year = transactions.fiscal_year
    and firms.corporate_number = transactions.customer_corporate_number
where transactions.fiscal_year = $fiscal_year
    and supplier_corporate_number = $corporate_number
    and supplier_prefecture_code <> customer_prefecture_code
order by amount_jpy desc, counterparty
limit $top
