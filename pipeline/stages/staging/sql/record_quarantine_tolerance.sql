-- The quarantine tolerance a kind of the year is staged under (its gate applies this one).
insert into quarantine_tolerances select $fiscal_year, $kind, $tolerance
