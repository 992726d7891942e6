-- The audit trail of nomination assessments (`python -m pipeline assess`): one row per
-- assessment, the same record as the line appended to
-- DATA_MARTS_DIR/assessments/<year>/assessments.jsonl. Never updated or deleted by the pipeline.
create table if not exists assessments (
    assessed_at timestamp,          -- UTC
    assessed_by varchar,            -- the OS user who ran the command
    fiscal_year integer,
    corporate_number varchar,       -- firm_id: the 法人番号, or 'vendor:' and the code of a 個人
    prefecture_code varchar,
    evidence_path varchar,
    evidence_sha256 varchar,
    publication_run_id varchar,     -- dagster_run_id of the live publication's manifest.json
    manifest_sha256 varchar,        -- SHA-256 of that manifest.json
    rule varchar,                   -- JSON: the rule recorded for the fiscal year
    verdict varchar,                -- JSON: selection, meets_thresholds, was_candidate, is_candidate
    is_candidate boolean,           -- with the evidence; null where the rule's selection is not decided here
    json_path varchar,
    markdown_path varchar
)
