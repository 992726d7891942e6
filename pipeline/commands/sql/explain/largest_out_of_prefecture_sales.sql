-- A firm's largest sales to customers outside its prefecture (they make its connector degree).
-- The firm is asked by its key, as in contributing_transactions.sql.
select
    firms.corporate_number as counterparty,
    firms.vendor_code as counterparty_vendor_code,
    firms.name as counterparty_name,
    lpad(cast(transactions.customer_prefecture as varchar), 2, '0') as counterparty_prefecture_code,
    transactions.amount_jpy,
    transactions.amount_estimated,
    inputs.source_file,
    transactions.row_number
from checked_transactions as transactions
left join staged_firms as firms
    on firms.fiscal_year = transactions.fiscal_year and firms.firm_key = transactions.customer_key
left join input_files as inputs on inputs.fiscal_year = $fiscal_year and inputs.kind = 'transactions'
where transactions.fiscal_year = $fiscal_year
    and transactions.reason is null
    and transactions.supplier_key = $firm_key
    and not transactions.within_prefecture
order by transactions.amount_jpy desc, firms.firm_id
limit $top
