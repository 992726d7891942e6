select register_version from register_match_inputs where fiscal_year = $fiscal_year
