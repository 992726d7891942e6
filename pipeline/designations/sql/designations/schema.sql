-- The plans store (SQLite, WAL): 地域産業クラスター計画, their revisions, the firms each revision
-- designates with their verdicts, every state change, and every published 一覧 version.
-- Append-only: a revision, a verdict or a decision is a new row, never an edit, so that what
-- the secretariat approved and what the 一覧 said on a date can always be shown as it was.
pragma journal_mode = wal;
pragma recursive_triggers = on;

create table if not exists plans (
    plan_id text primary key,          -- '13-0001': the prefecture and its sequence
    prefecture_code text not null,     -- JIS X 0401, text with its leading zero
    municipality_code text,            -- 全国地方公共団体コード (6 digits) when a municipality's head plans
    created_at text not null,          -- UTC, ISO 8601
    created_by text not null           -- OS user or portal account
);

create table if not exists plan_revisions (
    plan_id text not null references plans (plan_id),
    revision integer not null,
    title text not null,
    focus text not null,               -- 力を入れる産業領域
    valid_from text not null,          -- YYYY-MM-DD
    valid_to text not null,
    reference_year integer not null,   -- the fiscal year whose live release the firms were verified on
    release_id text not null,          -- that release
    release_manifest_sha256 text not null,
    firms_file text not null,
    firms_file_sha256 text not null,
    kpi_targets text not null,         -- JSON: [{"name": "売上額", "target": 1.0e10, "year": 2028}, ...]
    submitted_at text not null,
    submitted_by text not null,
    primary key (plan_id, revision)
);

create table if not exists designations (
    plan_id text not null,
    revision integer not null,
    line integer not null,             -- the firm's line in the firms file
    -- The firm's identity (the warehouse's firm_id): its 法人番号, or for a firm without one (a
    -- 個人, named by its vendor code) 'vendor:' and that code, so that the key stays unique.
    corporate_number text not null,
    name text,                         -- 商号 in the reference year's release (null: not staged)
    head_office_prefecture_code text,
    basis text not null,               -- 'candidate' or 'evidence'
    evidence_file text,
    evidence_sha256 text,
    assessment_file text,              -- the assess JSON the verdict rests on
    assessment_sha256 text,
    release_id text not null,
    note text not null default '',
    passed integer not null,           -- 1: meets every requirement
    reason text not null,              -- why it passed or failed, in Japanese and English
    flag text,                         -- e.g. designated by a plan of another prefecture
    -- Added later (store.py adds them to an older file; its rows keep null): the firm's vendor
    -- code (for a 個人 the one the plan named it by; for a 法人 the release's) and its legal
    -- form in the release, 法人 or 個人 (null: not staged).
    vendor_code text,
    legal_form text,
    primary key (plan_id, revision, corporate_number),
    foreign key (plan_id, revision) references plan_revisions (plan_id, revision)
);

create table if not exists plan_events (
    event_id integer primary key autoincrement,
    plan_id text not null,
    revision integer not null,
    action text not null check (action in ('submitted', 'approved', 'returned')),
    at text not null,
    by text not null,
    reason text not null,
    excluded text not null default '[]',  -- JSON list of the firms (法人番号, or 'vendor:' and a 個人's code) left out by the approval
    foreign key (plan_id, revision) references plan_revisions (plan_id, revision)
);
create index if not exists plan_events_by_plan on plan_events (plan_id, revision, event_id);

create table if not exists ichiran_versions (
    version integer primary key,
    effective_date text not null,      -- YYYY-MM-DD, from when this version is the 一覧
    published_at text not null,
    published_by text not null,
    folder text not null,              -- relative to DATA_MARTS_DIR
    manifest_sha256 text not null,
    firms integer not null
);

create trigger if not exists plans_no_update before update on plans
begin select raise(abort, 'plans is append-only'); end;
create trigger if not exists plans_no_delete before delete on plans
begin select raise(abort, 'plans is append-only'); end;
create trigger if not exists plan_revisions_no_update before update on plan_revisions
begin select raise(abort, 'plan_revisions is append-only'); end;
create trigger if not exists plan_revisions_no_delete before delete on plan_revisions
begin select raise(abort, 'plan_revisions is append-only'); end;
create trigger if not exists designations_no_update before update on designations
begin select raise(abort, 'designations is append-only'); end;
create trigger if not exists designations_no_delete before delete on designations
begin select raise(abort, 'designations is append-only'); end;
create trigger if not exists plan_events_no_update before update on plan_events
begin select raise(abort, 'plan_events is append-only'); end;
create trigger if not exists plan_events_no_delete before delete on plan_events
begin select raise(abort, 'plan_events is append-only'); end;
create trigger if not exists ichiran_versions_no_update before update on ichiran_versions
begin select raise(abort, 'ichiran_versions is append-only'); end;
create trigger if not exists ichiran_versions_no_delete before delete on ichiran_versions
begin select raise(abort, 'ichiran_versions is append-only'); end;
