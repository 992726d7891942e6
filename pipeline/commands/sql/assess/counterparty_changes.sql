-- The assessed firm's counterparties, by direction, in the vendor rows (staged transactions)
-- and in the evidence side by side: a null amount on one side means "only on the other side".
with vendor as (
    select
        case when supplier_key = $firm_key then 'sale' else 'purchase' end as direction,
        case when supplier_key = $firm_key then customer_key else supplier_key end as counterparty_key,
        case when supplier_key = $firm_key then customer_prefecture else supplier_prefecture end
            as prefecture,
        amount_jpy
    from checked_transactions
    where fiscal_year = $fiscal_year
        and reason is null
        and (supplier_prefecture = $prefecture or customer_prefecture = $prefecture)
        and (supplier_key = $firm_key or customer_key = $firm_key)
),

joined as (
    select
        coalesce(vendor.direction, evidence.direction) as direction,
        coalesce(vendor.counterparty_key, evidence.counterparty_key) as counterparty_key,
        evidence.line,
        lpad(cast(vendor.prefecture as varchar), 2, '0') as vendor_prefecture_code,
        evidence.prefecture_code as evidence_prefecture_code,
        vendor.amount_jpy as vendor_amount_jpy,
        evidence.amount_jpy as evidence_amount_jpy,
        evidence.name as evidence_name
    from vendor
    full outer join assess_counterparties as evidence
        on evidence.direction = vendor.direction and evidence.counterparty_key = vendor.counterparty_key
)

-- A staged counterparty by its 法人番号 (a 個人 by its vendor code); one only in the evidence
-- by the number the evidence gives (its key).
select
    joined.direction,
    coalesce(firms.corporate_number, case when firms.firm_key is null then cast(joined.counterparty_key as varchar) end)
        as corporate_number,
    firms.vendor_code,
    coalesce(firms.name, joined.evidence_name) as name,
    joined.line,
    coalesce(joined.vendor_prefecture_code, joined.evidence_prefecture_code) as prefecture_code,
    joined.vendor_amount_jpy,
    joined.evidence_amount_jpy
from joined
left join staged_firms as firms
    on firms.fiscal_year = $fiscal_year and firms.firm_key = joined.counterparty_key
order by joined.direction desc, coalesce(joined.vendor_amount_jpy, 0) + coalesce(joined.evidence_amount_jpy, 0) desc,
    joined.counterparty_key
