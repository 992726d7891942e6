-- One validated evidence row.
insert into assess_evidence values ($line, $direction, $corporate_number, $prefecture_code, $amount_jpy, $name)
