-- Firm rows of the year whose name held control characters, now spaces: how many, and the first
-- lines, for the staging metadata (README: input rules).
select count(*) as names, coalesce(list(row_number order by row_number)[1:10], []) as first_lines
from checked_firms
where fiscal_year = $fiscal_year and name_controls_replaced
