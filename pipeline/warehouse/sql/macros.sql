-- Normalisation and validation shared by the staging transforms (contract §1, §2).

-- A whole number held in a float or decimal column (Parquet; pandas writes an integer column
-- with missing values as float64), as BIGINT; null for a fraction, NaN, an infinity, or a float
-- from 2^24 (FLOAT) or 2^53 (DOUBLE) on, where it no longer holds every integer exactly and
-- so no longer says which one was meant. try_cast binds for any type, so the macro does too.
create or replace macro whole_number(s) as (
    case
        when typeof(s) in ('FLOAT', 'DOUBLE') then
            case
                when isfinite(try_cast(s as double))
                    and try_cast(s as double) = trunc(try_cast(s as double))
                    and abs(try_cast(s as double)) < if(typeof(s) = 'FLOAT', 16777216, 9007199254740992)
                    then try_cast(s as bigint)
            end
        when try_cast(s as decimal(38, 18)) = trunc(try_cast(s as decimal(38, 18))) then try_cast(s as bigint)
    end
);

-- Whether a column is of a float or decimal type (Parquet); folds to a constant, like is_integer_typed.
create or replace macro is_fraction_typed(s) as (
    typeof(s) in ('FLOAT', 'DOUBLE') or starts_with(typeof(s), 'DECIMAL')
);

-- A cell as text: a whole number of a float or decimal column without its fraction ('13', not
-- '13.0'), anything else as it is. Used once per column, in a CTE: nested in the macros below
-- it multiplied the expressions DuckDB binds (1.5 s to plan firm_checks).
create or replace macro cell_text(s) as (
    case
        when is_fraction_typed(s) then coalesce(cast(whole_number(s) as varchar), cast(s as varchar))
        else cast(s as varchar)
    end
);

-- Full-width digits, letters, comma and space become ASCII; then trim.
-- Plain ASCII (byte length = character length) skips the costly translate.
create or replace macro ascii_text(s) as (
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
create or replace macro is_integer_typed(s) as (
    typeof(s) in (
        'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT',
        'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT'
    )
);

-- A non-negative integer, written plainly or with comma thousands separators in their places
-- (1,234,000; full-width digits and commas too); otherwise null: a decimal comma (522932,50),
-- misplaced groups (1,2,3), a trailing comma (1000,) are not integers.
-- An integer-typed column (Parquet) skips the text path: typeof() folds to a constant; a float
-- or decimal column must hold a whole number. Plain digits, the common text case, take the
-- short path.
create or replace macro parse_integer(s) as (
    case
        when is_integer_typed(s) then case when try_cast(s as bigint) >= 0 then try_cast(s as bigint) end
        when is_fraction_typed(s) then case when whole_number(s) >= 0 then whole_number(s) end
        when regexp_full_match(cast(s as varchar), '[0-9]{1,18}') then cast(cast(s as varchar) as bigint)
        when regexp_full_match(ascii_text(s), '[0-9]{1,18}|[0-9]{1,3}(?:,[0-9]{3}){1,5}')
            then cast(replace(ascii_text(s), ',', '') as bigint)
    end
);

-- An integer that may be negative (operating profit): a leading minus, or △ / ▲ as Japanese
-- accounts write losses, then what parse_integer reads; otherwise null. Typed columns
-- (Parquet) and plain digits take the short paths, as in parse_integer.
create or replace macro parse_signed_integer(s) as (
    case
        when is_integer_typed(s) then try_cast(s as bigint)
        when is_fraction_typed(s) then whole_number(s)
        when regexp_full_match(cast(s as varchar), '-?[0-9]{1,18}') then cast(cast(s as varchar) as bigint)
        when regexp_matches(ascii_text(s), '^[-−△▲]')
            then -parse_integer(regexp_replace(ascii_text(s), '^[-−△▲]\s*', ''))
        else parse_integer(s)
    end
);

-- A cell with nothing in it: null, or only spaces. A typed column is blank only when null (a
-- float column's NaN is how pandas writes a missing value). NaN is told as neither finite nor
-- infinite: DuckDB folds isnan() to false from Parquet statistics, which leave NaN out.
create or replace macro is_blank(s) as (
    case
        when is_integer_typed(s) then s is null
        when typeof(s) in ('FLOAT', 'DOUBLE')
            then s is null or not (isfinite(try_cast(s as double)) or isinf(try_cast(s as double)))
        when is_fraction_typed(s) then s is null
        else nullif(ascii_text(s), '') is null
    end
);

-- Control characters a name may not keep: C0 other than tab, line feed and carriage return (a
-- name may hold those, contract §1), DEL and C1. They are invisible, and a spreadsheet (XLSX)
-- cannot hold them; each becomes a space.
create or replace macro has_control_characters(s) as (
    regexp_matches(s, '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]')
);

create or replace macro without_control_characters(s) as (
    regexp_replace(s, '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', ' ', 'g')
);

-- 法人番号: 13 digits whose first is 9 - (Σ base digit × weight mod 9); weights 2 on even positions.
create or replace macro is_corporate_number(s) as (
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
create or replace macro parse_prefecture(s) as (
    case
        when regexp_full_match(ascii_text(s), '[0-9]{1,2}')
            and cast(ascii_text(s) as integer) between 1 and 47
            then lpad(cast(cast(ascii_text(s) as integer) as varchar), 2, '0')
    end
);

-- A text cell that a spreadsheet would run as a formula gets a leading quote: ASCII = + - @,
-- tab, CR, and the full-width ＝ ＋ － ＠ (pipeline/stages/publication/spreadsheet_safe.py; a test keeps them equal).
create or replace macro spreadsheet_safe(s) as (
    case when regexp_matches(s, '^[=+\-@\t\r＝＋－＠]') then '''' || s else s end
);

-- A degree (contract §3): the firm's part ÷ its prefecture's total, null where the total is 0.
create or replace macro share_of(part, total) as (
    case when total > 0 then cast(part as double) / cast(total as double) end
);

-- A degree's rank within its area (prefecture, or block): RANK(), highest first; none without a degree.
create or replace macro degree_rank(degree, area) as (
    case when degree is not null then rank() over (partition by area order by degree desc) end
);

-- The composite score. Ranks are whole or halves, carried doubled (k = 2r) as integers.
-- The population SD of n such ranks, whose mean is (n + 1)/2, from Σk² exactly:
-- Σr²/n − ((n + 1)/2)² = (Σk² − n(n + 1)²) / (4n).
create or replace macro rank_sd(sum_k_squared, n) as (
    sqrt(cast(sum_k_squared - cast(n as hugeint) * (n + 1) * (n + 1) as double) / (4 * n))
);

-- T-score (偏差値) of a rank: 50 + 10 (mean rank − rank) / SD, so rank 1 scores highest; 50
-- when every firm ties (SD 0); null for a firm that is not ranked.
create or replace macro t_score(k, n, sd) as (
    case when k is null then null when sd > 0 then 50 + 10 * ((n + 1) - k) / (2 * sd) else 50.0 end
);

-- The composite score: the weighted mean of the six T-scores (weights: the rule's).
create or replace macro weighted_t_score(
    w_connector, w_hub, w_profit, w_employment, w_profit_growth, w_employment_growth,
    t_connector, t_hub, t_profit, t_employment, t_profit_growth, t_employment_growth
) as (
    (
        w_connector * t_connector + w_hub * t_hub + w_profit * t_profit + w_employment * t_employment
        + w_profit_growth * t_profit_growth + w_employment_growth * t_employment_growth
    ) / (w_connector + w_hub + w_profit + w_employment + w_profit_growth + w_employment_growth)
);

-- The legal size class one category's limits give a firm (firm_size_classes.sql).
create or replace macro size_reading(
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

-- The 国税庁 register's 登記記録の閉鎖等の事由 (close_cause) in words; null for an unknown code.
create or replace macro close_cause_name(close_cause) as (
    case close_cause
        when '01' then '清算の結了等'
        when '11' then '合併による解散等'
        when '21' then '登記官による閉鎖'
        when '31' then 'その他の清算の結了等'
    end
);
