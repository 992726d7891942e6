-- The rule's parts for one firm's figures (contract §4: the macros of contract_rule.sql, which the
-- selection uses): `explain` shows them beside the published outcome, `assess` decides with them.
select
    meets_sales($sales_jpy, $min_sales_jpy) as meets_sales,
    meets_employees($employees, $min_employees) as meets_employees,
    meets_size($sales_jpy, $employees, $min_sales_jpy, $min_employees) as meets_size,
    meets_size_class($size_class, $excluded_size_classes::varchar[]) as meets_size_class,
    meets_degree($connector_degree, $min_connector_degree) as meets_connector,
    meets_degree($hub_degree, $min_hub_degree) as meets_hub,
    meets_register($register_policy, $register_close_date::date) as meets_register,
    meets_composite($eligible_composite_rank, $top_n_per_prefecture) as meets_composite,
    is_candidate(
        $selection,
        meets_size($sales_jpy, $employees, $min_sales_jpy, $min_employees),
        meets_size_class($size_class, $excluded_size_classes::varchar[]),
        meets_register($register_policy, $register_close_date::date),
        meets_degree($connector_degree, $min_connector_degree),
        meets_degree($hub_degree, $min_hub_degree),
        meets_composite($eligible_composite_rank, $top_n_per_prefecture)
    ) as is_candidate,
    -- The degree test's outcome whatever the selection (assess shows it beside the composite's).
    is_candidate(
        'thresholds',
        meets_size($sales_jpy, $employees, $min_sales_jpy, $min_employees),
        meets_size_class($size_class, $excluded_size_classes::varchar[]),
        meets_register($register_policy, $register_close_date::date),
        meets_degree($connector_degree, $min_connector_degree),
        meets_degree($hub_degree, $min_hub_degree),
        false
    ) as meets_thresholds
