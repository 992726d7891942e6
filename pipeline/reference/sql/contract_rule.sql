-- Contract §4, written once: each part of the selection rule as a true/false value. The
-- selection (candidate_selection.sql), `assess` (assess/rule_parts.sql, assess/composite_ranking.sql)
-- and the change list use these macros, and `explain` reads the parts they gave; the gate
-- checks/candidates_meet_rule recomputes the rule from the thresholds independently, on purpose.

-- Size: both thresholds (a firm's sales_jpy and employees are never null once staged).
create or replace macro meets_sales(sales_jpy, min_sales_jpy) as (sales_jpy >= min_sales_jpy);

create or replace macro meets_employees(employees, min_employees) as (employees >= min_employees);

create or replace macro meets_size(sales_jpy, employees, min_sales_jpy, min_employees) as (
    meets_sales(sales_jpy, min_sales_jpy) and meets_employees(employees, min_employees)
);

-- Size class: not one the rule excludes (e.g. 大企業).
create or replace macro meets_size_class(size_class, excluded_size_classes) as (
    not list_contains(excluded_size_classes, size_class)
);

-- A degree test (connector or hub); a null degree (denominator 0) passes nothing.
create or replace macro meets_degree(degree, min_degree) as (
    coalesce(degree >= min_degree, false)
);

-- The register (rule's register_policy): under exclude_closed and register_prefecture a firm the
-- 国税庁 register shows closed (any close date: the register as of its date, after the fiscal
-- year too) is not a candidate; under report the register only flags. A firm the register lacks
-- (not found, deleted, a 個人) passes: the reconciliation reports it.
create or replace macro meets_register(register_policy, register_close_date) as (
    register_policy = 'report' or register_close_date is null
);

-- Who is ranked for the composite test: scored firms that pass the size, size-class and
-- register tests (a closed firm takes no place in the top N).
create or replace macro composite_eligible(composite_score, meets_size, meets_size_class, meets_register) as (
    composite_score is not null and meets_size and meets_size_class and meets_register
);

-- Composite: within the top N of its prefecture's eligible firms by composite score.
create or replace macro meets_composite(eligible_composite_rank, top_n_per_prefecture) as (
    coalesce(eligible_composite_rank <= top_n_per_prefecture, false)
);

-- The rule: size, size class and register, then the degree test or the composite test, as
-- `selection` says.
create or replace macro is_candidate(
    selection, meets_size, meets_size_class, meets_register, meets_connector, meets_hub, meets_composite
) as (
    meets_size and meets_size_class and meets_register and case selection
        when 'composite_top_n' then meets_composite
        else meets_connector or meets_hub
    end
);
