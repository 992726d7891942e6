-- The quarantine tolerance each kind of the year was staged under, as exact text.
select kind, tolerance from quarantine_tolerances where fiscal_year = $fiscal_year
