insert into register_match_inputs values ($fiscal_year, $register_version)
