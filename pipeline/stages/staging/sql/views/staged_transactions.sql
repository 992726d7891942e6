-- For people and `explain`: the staged rows with their 法人番号 and prefectures as text.
create or replace view staged_transactions as
select
    transactions.fiscal_year,
    cast(transactions.supplier_key as varchar) as supplier_corporate_number,
    cast(transactions.customer_key as varchar) as customer_corporate_number,
    transactions.amount_jpy,
    transactions.amount_estimated,
    lpad(cast(transactions.supplier_prefecture as varchar), 2, '0') as supplier_prefecture_code,
    lpad(cast(transactions.customer_prefecture as varchar), 2, '0') as customer_prefecture_code,
    inputs.source_file,
    transactions.row_number
from checked_transactions as transactions
left join input_files as inputs
    on inputs.fiscal_year = transactions.fiscal_year and inputs.kind = 'transactions'
where transactions.reason is null;
