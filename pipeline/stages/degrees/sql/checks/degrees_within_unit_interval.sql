-- Blocking: every degree lies in [0, 1].
select prefecture_code, firm_id, connector_degree, hub_degree
from firm_degrees
where fiscal_year = $fiscal_year
    and (
        connector_degree not between 0 and 1
        or hub_degree not between 0 and 1
        or isnan(connector_degree) or isnan(hub_degree)
    )
order by prefecture_code, firm_id
