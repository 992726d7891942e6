-- Per fiscal year, the register whose head offices staging used (register_policy
-- register_prefecture; its version, which enters staged_firms' data version); no row: the
-- firms file's prefectures, as under every other policy.
create table if not exists prefecture_sources (fiscal_year integer, register_version varchar);
