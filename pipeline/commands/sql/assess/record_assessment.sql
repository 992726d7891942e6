-- One assessment in the audit trail (the same record as its assessments.jsonl line).
insert into assessments (
    assessed_at, assessed_by, fiscal_year, corporate_number, prefecture_code, evidence_path,
    evidence_sha256, publication_run_id, manifest_sha256, rule, verdict, is_candidate, json_path,
    markdown_path
)
values (
    $assessed_at, $assessed_by, $fiscal_year, $corporate_number, $prefecture_code, $evidence_path,
    $evidence_sha256, $publication_run_id, $manifest_sha256, $rule, $verdict, $is_candidate, $json_path,
    $markdown_path
)
