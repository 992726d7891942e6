-- Transactions keep both firms as BIGINT keys (a staged 法人番号 never starts with 0) and
-- both prefectures as 1-byte codes: 20M rows of integers write far faster than of text,
-- and later stages need no join back to the firms.
    -- True where amount_mode 'estimate' filled in an empty amount.
create table if not exists checked_transactions (
    fiscal_year integer,
    row_number bigint,
    supplier_key bigint,
    customer_key bigint,
    amount_jpy bigint,
    within_prefecture boolean,
    reason varchar,
    supplier_prefecture utinyint,
    customer_prefecture utinyint,
    amount_estimated boolean
);
