-- The assessed firm as the year's firm register (staged firms) holds it, with its size class:
-- by its 法人番号, or by the vendor's code (the only key a 個人 has; a 法人 found by its code
-- is still named by its number).
select
    firms.firm_id,
    firms.firm_key,
    firms.corporate_number,
    firms.vendor_code,
    firms.legal_form,
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
where firms.fiscal_year = $fiscal_year
    and (firms.corporate_number = $corporate_number or firms.vendor_code = $vendor_code)
