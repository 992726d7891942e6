-- Another implementation's firm degrees ({other}) against the pipeline's firm_degrees.parquet
-- ({reference}), each a firm by its 法人番号 or a 個人's vendor code: firms on one side only, firms
-- whose degree is null on one side only, and the largest |difference| of either degree. The
-- placeholders are quoted paths (bench/__main__.py).
with reference as (
    select coalesce(corporate_number, 'vendor:' || vendor_code) as firm_id, connector_degree, hub_degree
    from read_parquet({reference})
),

other as (
    select coalesce(corporate_number, 'vendor:' || vendor_code) as firm_id, connector_degree, hub_degree
    from read_parquet({other})
)

select
    count(*) filter (where r.firm_id is null or o.firm_id is null),
    count(*) filter (
        where (r.connector_degree is null) <> (o.connector_degree is null)
        or (r.hub_degree is null) <> (o.hub_degree is null)
    ),
    coalesce(greatest(
        max(abs(r.connector_degree - o.connector_degree)),
        max(abs(r.hub_degree - o.hub_degree))
    ), 0)
from reference as r
full join other as o on r.firm_id = o.firm_id
