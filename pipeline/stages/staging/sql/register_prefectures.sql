-- register_policy register_prefecture: a staged firm whose head office the 国税庁 register (as
-- loaded and checked) puts in another prefecture is staged in the register's, so its
-- transactions' within_prefecture, its degrees and every list follow it; vendor_prefecture_code
-- keeps the file's. A firm the register lacks, or places outside Japan (国外: no prefecture
-- code), keeps the file's. Quarantine reasons are the file's: this runs on staged rows only.
update checked_firms as firms
set prefecture_code = register.prefecture_code, prefecture_source = 'register'
from corporate_register as register
where firms.fiscal_year = $fiscal_year
    and firms.reason is null
    and register.corporate_number = firms.corporate_number
    and register.prefecture_code <> firms.prefecture_code
    and register.prefecture_code in (select prefecture_code from prefectures)
