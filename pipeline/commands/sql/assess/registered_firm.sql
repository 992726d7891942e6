-- The assessed firm as the year's firm register (staged firms) holds it, with its size class.
select
    firms.corporate_number,
    firms.name,
    firms.prefecture_code,
    prefectures.prefecture_name,
    cast(firms.prefecture_code as utinyint) as prefecture,
    firms.jsic_division,
    firms.sales_jpy,
    firms.employees,
    firms.export_sales_jpy,
    classes.size_class,
    classes.size_class_reason
from staged_firms as firms
join prefectures using (prefecture_code)
left join firm_size_classes as classes using (fiscal_year, firm_id)
where firms.fiscal_year = $fiscal_year and firms.corporate_number = $corporate_number
