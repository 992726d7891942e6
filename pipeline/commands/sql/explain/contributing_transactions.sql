-- Every staged transaction that counts for a firm's degrees, with its input line: its sales to
-- customers in other prefectures (connector degree) and its purchases from suppliers in its
-- own prefecture (hub degree). Sales first, each direction in file order. The firm is asked by
-- its key ($firm_key, staged_firms.firm_key); a counterparty is named by its 法人番号, or a 個人
-- by its vendor code.
with contributing as (
    select
        case
            when supplier_key = $firm_key then 'out_of_prefecture_sale'
            else 'in_prefecture_purchase'
        end as direction,
        case when supplier_key = $firm_key then customer_key else supplier_key end as counterparty_key,
        case
            when supplier_key = $firm_key then customer_prefecture
            else supplier_prefecture
        end as counterparty_prefecture,
        amount_jpy,
        amount_estimated,
        row_number
    from checked_transactions
    where fiscal_year = $fiscal_year
        and reason is null
        and (
            (supplier_key = $firm_key and not within_prefecture)
            or (customer_key = $firm_key and within_prefecture)
        )
)

select
    contributing.direction,
    firms.corporate_number as counterparty,
    firms.vendor_code as counterparty_vendor_code,
    firms.name as counterparty_name,
    lpad(cast(contributing.counterparty_prefecture as varchar), 2, '0') as counterparty_prefecture_code,
    contributing.amount_jpy,
    contributing.amount_estimated,
    inputs.source_file,
    contributing.row_number
from contributing
left join staged_firms as firms
    on firms.fiscal_year = $fiscal_year and firms.firm_key = contributing.counterparty_key
left join input_files as inputs on inputs.fiscal_year = $fiscal_year and inputs.kind = 'transactions'
order by contributing.direction desc, contributing.row_number
