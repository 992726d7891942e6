-- Every staged transaction that counts for a firm's degrees, with its input line: its sales to
-- customers in other prefectures (connector degree) and its purchases from suppliers in its
-- own prefecture (hub degree). Sales first, each direction in file order.
with contributing as (
    select
        case
            when supplier_corporate_number = $corporate_number then 'out_of_prefecture_sale'
            else 'in_prefecture_purchase'
        end as direction,
        case
            when supplier_corporate_number = $corporate_number then customer_corporate_number
            else supplier_corporate_number
        end as counterparty,
        case
            when supplier_corporate_number = $corporate_number then customer_prefecture_code
            else supplier_prefecture_code
        end as counterparty_prefecture_code,
        amount_jpy,
        amount_estimated,
        source_file,
        row_number
    from staged_transactions
    where fiscal_year = $fiscal_year
        and (
            (supplier_corporate_number = $corporate_number
                and supplier_prefecture_code <> customer_prefecture_code)
            or (customer_corporate_number = $corporate_number
                and supplier_prefecture_code = customer_prefecture_code)
        )
)

select
    contributing.direction,
    contributing.counterparty,
    firms.name as counterparty_name,
    contributing.counterparty_prefecture_code,
    contributing.amount_jpy,
    contributing.amount_estimated,
    contributing.source_file,
    contributing.row_number
from contributing
left join staged_firms as firms
    on firms.fiscal_year = $fiscal_year and firms.corporate_number = contributing.counterparty
order by contributing.direction desc, contributing.row_number
