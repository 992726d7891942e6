-- A firm's identity (contract §1, firms without a 法人番号): its 法人番号, or for a 個人, which
-- has none, 'vendor:' and the vendor's code. Staging, the change list, the published files'
-- check and the 一覧 all key firms by it.
create or replace macro firm_id(corporate_number, vendor_code) as (
    coalesce(corporate_number, 'vendor:' || vendor_code)
);
