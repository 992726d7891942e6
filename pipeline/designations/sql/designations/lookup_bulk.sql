-- Every row of a bulk lookup (temp table numbers: input_row, the input's columns as text, and
-- number_as_written), in input order, the input's columns first (as the CSV gives them), with its status on $as_of from the history (temp view
-- history): listed, not_listed, or invalid with what is wrong with the number.
with normalised as (
    select input_row, ascii_text(number_as_written) as corporate_number from numbers
),

checked as (
    select
        input_row,
        corporate_number,
        case
            when corporate_number is null or corporate_number = '' then 'missing 法人番号'
            when not regexp_full_match(corporate_number, '[0-9]+') then 'not 13 digits (it holds characters other than digits)'
            when length(corporate_number) <> 13 then 'not 13 digits (' || length(corporate_number) || ' digits)'
            when not is_corporate_number(corporate_number) then
                'bad check digit: the check digit (the first digit) should be '
                || (9 - (
                    (ascii(corporate_number[2]) - 48) * 2 + (ascii(corporate_number[3]) - 48)
                    + (ascii(corporate_number[4]) - 48) * 2 + (ascii(corporate_number[5]) - 48)
                    + (ascii(corporate_number[6]) - 48) * 2 + (ascii(corporate_number[7]) - 48)
                    + (ascii(corporate_number[8]) - 48) * 2 + (ascii(corporate_number[9]) - 48)
                    + (ascii(corporate_number[10]) - 48) * 2 + (ascii(corporate_number[11]) - 48)
                    + (ascii(corporate_number[12]) - 48) * 2 + (ascii(corporate_number[13]) - 48)
                ) % 9)
        end as problem
    from normalised
),

-- The input's own columns come back as they were, formula-safe for a spreadsheet.
input_columns as (
    select input_row, spreadsheet_safe(columns(* exclude (input_row, number_as_written))) from numbers
),

in_force as (
    select
        corporate_number,
        string_agg(plan_id, ';' order by plan_id) as plan_ids,
        string_agg(distinct prefecture_code, ';' order by prefecture_code) as prefecture_codes,
        min(listed_from) as listed_since
    from history
    -- by 法人番号 only: a 個人 on the 一覧 has none, and is not looked up by its vendor code
    where corporate_number is not null and cast($as_of as date) between listed_from and listed_until
    group by corporate_number
)

select
    input_columns.* exclude (input_row),
    checked.corporate_number as normalised_corporate_number,
    case
        when checked.problem is not null then 'invalid'
        when in_force.corporate_number is not null then 'listed'
        else 'not_listed'
    end as status,
    cast($as_of as date) as as_of,
    in_force.plan_ids,
    in_force.prefecture_codes,
    in_force.listed_since,
    checked.problem
from input_columns
join checked using (input_row)
left join in_force on checked.problem is null and in_force.corporate_number = checked.corporate_number
order by input_columns.input_row
