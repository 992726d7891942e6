-- Firms per size class for the asset's metadata, with one reason where the class is unknown.
select size_class, count(*) as firms, coalesce(min(size_class_reason), '') as example_reason
from firm_size_classes
where fiscal_year = $fiscal_year
group by size_class
order by min(case size_class
    when '小規模企業者' then 1 when '中小企業者' then 2 when '中堅企業' then 3 when '大企業' then 4 else 5
end)
