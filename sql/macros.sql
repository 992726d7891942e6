-- Normalisation and validation shared by the staging transforms (contract §1, §2).

-- Full-width digits, letters, comma and space become ASCII; then trim.
-- Plain ASCII (byte length = character length) skips the costly translate.
create or replace temp macro ascii_text(s) as (
    case
        when strlen(cast(s as varchar)) = length(cast(s as varchar)) then trim(cast(s as varchar))
        else trim(translate(
            cast(s as varchar),
            '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ，　',
            '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ, '
        ))
    end
);

-- Whether a column is of an integer type (Parquet), not text; typeof() folds to a constant, so
-- the macros below pick their path once per query, not per row.
create or replace temp macro is_integer_typed(s) as (
    typeof(s) in (
        'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT',
        'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT'
    )
);

-- A non-negative integer, written plainly or with thousands separators; otherwise null.
-- An integer-typed column (Parquet) skips the text path: typeof() folds to a constant.
-- Plain digits, the common text case, take the short path.
create or replace temp macro parse_integer(s) as (
    case
        when is_integer_typed(s) then case when try_cast(s as bigint) >= 0 then try_cast(s as bigint) end
        when regexp_full_match(cast(s as varchar), '[0-9]{1,18}') then cast(cast(s as varchar) as bigint)
        when regexp_full_match(replace(ascii_text(s), ',', ''), '[0-9]{1,18}')
            then cast(replace(ascii_text(s), ',', '') as bigint)
    end
);

-- An integer that may be negative (operating profit): a leading minus, or △ / ▲ as Japanese
-- accounts write losses, then what parse_integer reads; otherwise null. Integer-typed columns
-- (Parquet) and plain digits take the short paths, as in parse_integer.
create or replace temp macro parse_signed_integer(s) as (
    case
        when is_integer_typed(s) then try_cast(s as bigint)
        when regexp_full_match(cast(s as varchar), '-?[0-9]{1,18}') then cast(cast(s as varchar) as bigint)
        when regexp_matches(ascii_text(s), '^[-−△▲]')
            then -parse_integer(regexp_replace(ascii_text(s), '^[-−△▲]\s*', ''))
        else parse_integer(s)
    end
);

-- A cell with nothing in it: null, or only spaces. An integer-typed column is blank only when null.
create or replace temp macro is_blank(s) as (
    case
        when is_integer_typed(s) then s is null
        else nullif(ascii_text(s), '') is null
    end
);

-- 法人番号: 13 digits whose first is 9 - (Σ base digit × weight mod 9); weights 2 on even positions.
create or replace temp macro is_corporate_number(s) as (
    coalesce(regexp_full_match(s, '[0-9]{13}'), false)
    and ascii(s[1]) - 48 = 9 - (
        (ascii(s[2]) - 48) * 2 + (ascii(s[3]) - 48)
        + (ascii(s[4]) - 48) * 2 + (ascii(s[5]) - 48)
        + (ascii(s[6]) - 48) * 2 + (ascii(s[7]) - 48)
        + (ascii(s[8]) - 48) * 2 + (ascii(s[9]) - 48)
        + (ascii(s[10]) - 48) * 2 + (ascii(s[11]) - 48)
        + (ascii(s[12]) - 48) * 2 + (ascii(s[13]) - 48)
    ) % 9
);

-- JIS X 0401 code '01'..'47' from '1', '01' or '０１'; otherwise null.
create or replace temp macro parse_prefecture(s) as (
    case
        when regexp_full_match(ascii_text(s), '[0-9]{1,2}')
            and cast(ascii_text(s) as integer) between 1 and 47
            then lpad(cast(cast(ascii_text(s) as integer) as varchar), 2, '0')
    end
);

-- A text cell that a spreadsheet would run as a formula gets a leading quote: ASCII = + - @,
-- tab, CR, and the full-width ＝ ＋ － ＠ (pipeline/spreadsheet_safe.py; a test keeps them equal).
create or replace temp macro spreadsheet_safe(s) as (
    case when regexp_matches(s, '^[=+\-@\t\r＝＋－＠]') then '''' || s else s end
);

-- A degree (contract §3): the firm's part ÷ its prefecture's total, null where the total is 0.
create or replace temp macro share_of(part, total) as (
    case when total > 0 then cast(part as double) / cast(total as double) end
);

-- Issue 8's composite score. Ranks are whole or halves, carried doubled (k = 2r) as integers.
-- The population SD of n such ranks, whose mean is (n + 1)/2, from Σk² exactly:
-- Σr²/n − ((n + 1)/2)² = (Σk² − n(n + 1)²) / (4n).
create or replace temp macro rank_sd(sum_k_squared, n) as (
    sqrt(cast(sum_k_squared - cast(n as hugeint) * (n + 1) * (n + 1) as double) / (4 * n))
);

-- T-score (偏差値) of a rank: 50 + 10 (mean rank − rank) / SD, so rank 1 scores highest; 50
-- when every firm ties (SD 0); null for a firm that is not ranked.
create or replace temp macro t_score(k, n, sd) as (
    case when k is null then null when sd > 0 then 50 + 10 * ((n + 1) - k) / (2 * sd) else 50.0 end
);

-- The composite score: the weighted mean of the six T-scores (weights: the rule's).
create or replace temp macro weighted_t_score(
    w_connector, w_hub, w_profit, w_employment, w_profit_growth, w_employment_growth,
    t_connector, t_hub, t_profit, t_employment, t_profit_growth, t_employment_growth
) as (
    (
        w_connector * t_connector + w_hub * t_hub + w_profit * t_profit + w_employment * t_employment
        + w_profit_growth * t_profit_growth + w_employment_growth * t_employment_growth
    ) / (w_connector + w_hub + w_profit + w_employment + w_profit_growth + w_employment_growth)
);

-- The legal size class one category's limits give a firm (firm_size_classes.sql).
create or replace temp macro size_reading(
    employees, capital_jpy, small_limit, employee_limit, capital_limit
) as (
    case
        when employees <= small_limit then '小規模企業者'
        when employees <= employee_limit then '中小企業者'
        when capital_jpy <= capital_limit then '中小企業者'
        when capital_jpy is null then 'unknown'
        when employees <= 2000 then '中堅企業'
        else '大企業'
    end
);
