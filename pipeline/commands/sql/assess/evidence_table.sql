-- The evidence rows of one assessment, validated in Python (pipeline/commands/assess/); a temp table
-- of this connection only.
create or replace temp table assess_evidence (
    line integer,               -- CSV line of the evidence file (header = 1)
    direction varchar,          -- 'sale': the firm supplies the counterparty; 'purchase': it buys
    corporate_number varchar,   -- the counterparty's 法人番号, normalised and check-digit valid
    prefecture_code varchar,    -- the counterparty's prefecture as the evidence states it, '01'..'47'
    amount_jpy bigint,          -- > 0
    name varchar                -- the counterparty's name as the evidence gives it (optional)
)
