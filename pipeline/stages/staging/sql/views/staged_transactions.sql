-- For people: the staged rows with their 法人番号 and prefectures as text. A side that is a 個人
-- (no 法人番号, a negative key) has no number here; its key finds it in staged_firms.firm_key.
create or replace view staged_transactions as
select
    transactions.fiscal_year,
    case when transactions.supplier_key > 0 then cast(transactions.supplier_key as varchar) end
        as supplier_corporate_number,
    case when transactions.customer_key > 0 then cast(transactions.customer_key as varchar) end
        as customer_corporate_number,
    transactions.amount_jpy,
    transactions.amount_estimated,
    lpad(cast(transactions.supplier_prefecture as varchar), 2, '0') as supplier_prefecture_code,
    lpad(cast(transactions.customer_prefecture as varchar), 2, '0') as customer_prefecture_code,
    inputs.source_file,
    transactions.row_number,
    transactions.supplier_key,
    transactions.customer_key
from checked_transactions as transactions
left join input_files as inputs
    on inputs.fiscal_year = transactions.fiscal_year and inputs.kind = 'transactions'
where transactions.reason is null;
