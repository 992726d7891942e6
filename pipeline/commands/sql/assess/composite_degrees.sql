-- The degrees the composite score ranks, for `assess` (a temp table: a view takes no parameters):
-- the adjusted ones of the firm's prefecture
-- (assess_degrees), in place of firm_degrees'. See composite_degrees.sql.
create or replace temp table composite_degrees as
select $prefecture_code as prefecture_code, firm_id, connector_degree, hub_degree
from assess_degrees
