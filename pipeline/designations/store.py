"""The plans store: plans, revisions, designated firms with their verdicts, decisions, 一覧 versions.

A SQLite file in WAL mode (`PLANS_DB`, default `data/plans.sqlite3`, beside the portal's
`data/portal.sqlite3`), kept apart from the warehouse, which has one writer and can be rebuilt:
what a prefecture submitted and what the secretariat decided cannot. Every table is append-only
(triggers in sql/designations/schema.sql refuse UPDATE and DELETE); a revision's state is its
last event.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.designations.firms_file import firm_id
from pipeline.registry.store import os_user, utc_now
from pipeline.settings import PROJECT_ROOT
from pipeline.warehouse.connection import sql_text

DEFAULT_PATH = "data/plans.sqlite3"


def plans_store_path() -> Path:
    """PLANS_DB, or data/plans.sqlite3 in the repository (beside the portal's file)."""
    value = os.environ.get("PLANS_DB")
    return Path(value).expanduser().resolve() if value else PROJECT_ROOT / DEFAULT_PATH


@dataclass(frozen=True)
class Designation:
    """One designated firm's verdict. A 個人 has an empty corporate_number and its vendor_code
    (legal_form 個人); a 法人 carries the release's vendor code too."""

    line: int
    corporate_number: str
    basis: str
    passed: bool
    reason: str
    release_id: str
    name: str | None = None
    head_office_prefecture_code: str | None = None
    evidence_file: str | None = None
    evidence_sha256: str | None = None
    assessment_file: str | None = None
    assessment_sha256: str | None = None
    note: str = ""
    flag: str | None = None
    vendor_code: str | None = None
    legal_form: str | None = None

    @property
    def firm_id(self) -> str:
        """The 法人番号, or 'vendor:' and the vendor code of a firm without one."""
        return firm_id(self.corporate_number, self.vendor_code)

    @property
    def label(self) -> str:
        """How a person names the firm: its 法人番号, else 企業コード and its vendor code."""
        return self.corporate_number or f"企業コード {self.vendor_code}"


@dataclass(frozen=True)
class Revision:
    plan_id: str
    revision: int
    prefecture_code: str
    municipality_code: str | None
    title: str
    focus: str
    valid_from: str
    valid_to: str
    reference_year: int
    release_id: str
    release_manifest_sha256: str
    firms_file: str
    firms_file_sha256: str
    kpi_targets: list[dict]
    submitted_at: str
    submitted_by: str
    status: str = "submitted"
    events: list[dict] = field(default_factory=list)

    @property
    def excluded(self) -> list[str]:
        """The firms (firm ids) the approval left out (empty unless approved with --exclude)."""
        approvals = [e for e in self.events if e["action"] == "approved"]
        return json.loads(approvals[-1]["excluded"]) if approvals else []


class StoreError(Exception):
    """A request the store refuses (unknown plan, wrong state, another prefecture's plan)."""


_DESIGNATION_COLUMNS = (
    "line", "corporate_number", "name", "head_office_prefecture_code", "basis", "evidence_file",
    "evidence_sha256", "assessment_file", "assessment_sha256", "release_id", "note", "passed",
    "reason", "flag", "vendor_code", "legal_form",
)  # fmt: skip
# Columns added to a table after stores were made: an older file gets them by ALTER TABLE ADD
# COLUMN when it is opened (its rows keep null; nothing is rewritten, the triggers stay).
_ADDED_COLUMNS = (
    ("designations", "vendor_code", "text"),
    ("designations", "legal_form", "text"),
)


class PlanStore:
    """The store file at `path`, created on first use."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else plans_store_path()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as con:
            con.row_factory = sqlite3.Row
            con.execute("pragma foreign_keys = on")
            con.executescript(sql_text("designations/schema"))
            _add_columns(con)
            yield con

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One BEGIN IMMEDIATE transaction: two writers queue, and a failure records nothing."""
        with self.connect() as con:
            con.execute("begin immediate")
            try:
                yield con
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")

    # -- recording ---------------------------------------------------------------------------

    def record_revision(
        self,
        plan_id: str | None,
        prefecture_code: str,
        municipality_code: str | None,
        fields: dict,
        designations: list[Designation],
        by: str | None = None,
    ) -> tuple[str, int]:
        """A new plan (plan_id None) or a new revision of plan_id, its firms and its 'submitted'
        event, all in one transaction; returns (plan id, revision)."""
        by = by or os_user()
        at = utc_now()
        with self.writing() as con:
            if plan_id is None:
                (count,) = con.execute(
                    "select count(*) from plans where prefecture_code = ?", [prefecture_code]
                ).fetchone()
                plan_id = f"{prefecture_code}-{count + 1:04d}"
                con.execute(
                    "insert into plans values (?, ?, ?, ?, ?)",
                    [plan_id, prefecture_code, municipality_code, at, by],
                )
            else:
                plan = con.execute("select * from plans where plan_id = ?", [plan_id]).fetchone()
                if plan is None:
                    raise StoreError(f"no plan {plan_id}; leave out --plan to start a new one")
                if plan["prefecture_code"] != prefecture_code:
                    raise StoreError(
                        f"plan {plan_id} is prefecture {plan['prefecture_code']}'s, not {prefecture_code}'s"
                    )
            (revision,) = con.execute(
                "select coalesce(max(revision), 0) + 1 from plan_revisions where plan_id = ?", [plan_id]
            ).fetchone()
            con.execute(
                "insert into plan_revisions (plan_id, revision, title, focus, valid_from, valid_to, "
                "reference_year, release_id, release_manifest_sha256, firms_file, firms_file_sha256, "
                "kpi_targets, submitted_at, submitted_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    plan_id, revision, fields["title"], fields["focus"], fields["valid_from"],
                    fields["valid_to"], fields["reference_year"], fields["release_id"],
                    fields["release_manifest_sha256"], fields["firms_file"], fields["firms_file_sha256"],
                    json.dumps(fields["kpi_targets"], ensure_ascii=False, sort_keys=True), at, by,
                ],
            )  # fmt: skip
            placeholders = ", ".join("?" * (len(_DESIGNATION_COLUMNS) + 2))
            con.executemany(
                f"insert into designations (plan_id, revision, {', '.join(_DESIGNATION_COLUMNS)}) "
                f"values ({placeholders})",
                [[plan_id, revision, *(_value(d, c) for c in _DESIGNATION_COLUMNS)] for d in designations],
            )
            con.execute(
                "insert into plan_events (plan_id, revision, action, at, by, reason) "
                "values (?, ?, ?, ?, ?, ?)",
                [plan_id, revision, "submitted", at, by, fields.get("reason") or "submitted"],
            )
        return plan_id, revision

    def record_decision(
        self,
        plan_id: str,
        revision: int,
        action: str,
        reason: str,
        excluded: list[str] | None = None,
        by: str | None = None,
    ) -> None:
        """Approve or return a submitted revision (checked again inside the transaction)."""
        with self.writing() as con:
            state = _status(con, plan_id, revision)
            if state is None:
                raise StoreError(f"no revision {revision} of plan {plan_id}")
            if state != "submitted":
                raise StoreError(
                    f"revision {revision} of plan {plan_id} is {state}; only a submitted revision can be "
                    f"approved or returned"
                )
            con.execute(
                "insert into plan_events (plan_id, revision, action, at, by, reason, excluded) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                [plan_id, revision, action, utc_now(), by or os_user(), reason, json.dumps(excluded or [])],
            )

    def record_version(self, row: dict) -> None:
        with self.writing() as con:
            con.execute(
                "insert into ichiran_versions (version, effective_date, published_at, published_by, folder, "
                "manifest_sha256, firms) values (:version, :effective_date, :published_at, :published_by, "
                ":folder, :manifest_sha256, :firms)",
                row,
            )

    # -- reading -----------------------------------------------------------------------------

    def revision(self, plan_id: str, revision: int | None = None) -> Revision:
        """A revision of a plan (default: its latest), with its events and state."""
        with self.connect() as con:
            if revision is None:
                (revision,) = con.execute(
                    "select max(revision) from plan_revisions where plan_id = ?", [plan_id]
                ).fetchone()
            row = con.execute(
                "select r.*, p.prefecture_code, p.municipality_code from plan_revisions r "
                "join plans p using (plan_id) where plan_id = ? and revision = ?",
                [plan_id, revision],
            ).fetchone()
            if row is None:
                raise StoreError(
                    f"no plan {plan_id}" if revision is None else f"no revision {revision} of plan {plan_id}"
                )
            events = [
                dict(e)
                for e in con.execute(
                    "select * from plan_events where plan_id = ? and revision = ? order by event_id",
                    [plan_id, revision],
                )
            ]
        values = dict(row)
        values["kpi_targets"] = json.loads(values["kpi_targets"])
        return Revision(**values, status=events[-1]["action"], events=events)

    def designations(self, plan_id: str, revision: int) -> list[Designation]:
        with self.connect() as con:
            rows = con.execute(
                f"select {', '.join(_DESIGNATION_COLUMNS)} from designations "
                "where plan_id = ? and revision = ? order by line",
                [plan_id, revision],
            ).fetchall()
        return [_designation(r) for r in rows]

    def plans(self, prefecture_code: str | None = None, status: str | None = None) -> list[Revision]:
        """Every plan's latest revision (of one prefecture, in one state), by plan id."""
        with self.connect() as con:
            ids = [
                r[0]
                for r in con.execute(
                    "select plan_id from plans where ? is null or prefecture_code = ? order by plan_id",
                    [prefecture_code, prefecture_code],
                )
            ]
        latest = [self.revision(plan_id) for plan_id in ids]
        return [r for r in latest if status is None or r.status == status]

    def approved_revisions(self) -> list[Revision]:
        """Each plan's latest approved revision, by plan id: what the next 一覧 is made from."""
        with self.connect() as con:
            rows = con.execute(
                "select plan_id, max(revision) from plan_events where action = 'approved' "
                "group by plan_id order by plan_id"
            ).fetchall()
        return [self.revision(plan_id, revision) for plan_id, revision in rows]

    def designated_elsewhere(self, prefecture_code: str, numbers: list[str]) -> dict[str, list[str]]:
        """For each firm id (法人番号, or 'vendor:' and a 個人's code), the plans of other
        prefectures whose latest revision (not returned) designates it."""
        with self.connect() as con:
            rows = con.execute(
                sql_text("designations/designated_elsewhere"),
                [prefecture_code],
            ).fetchall()
        wanted = set(numbers)
        found: dict[str, list[str]] = {}
        for number, plan_id in rows:
            if number in wanted:
                found.setdefault(number, []).append(plan_id)
        return found

    def versions(self) -> list[dict]:
        with self.connect() as con:
            return [dict(r) for r in con.execute("select * from ichiran_versions order by version")]


def _status(con: sqlite3.Connection, plan_id: str, revision: int) -> str | None:
    row = con.execute(
        "select action from plan_events where plan_id = ? and revision = ? order by event_id desc limit 1",
        [plan_id, revision],
    ).fetchone()
    return row[0] if row else None


def _add_columns(con: sqlite3.Connection) -> None:
    for table, column, kind in _ADDED_COLUMNS:
        present = {row["name"] for row in con.execute(f"pragma table_info({table})")}
        if column not in present:
            con.execute(f"alter table {table} add column {column} {kind}")


def _value(designation: Designation, column: str):
    if column == "corporate_number":  # the key: a 個人 is stored by its firm id
        return designation.firm_id
    value = getattr(designation, column)
    return int(value) if isinstance(value, bool) else value


def _designation(row: sqlite3.Row) -> Designation:
    values = {**dict(row), "passed": bool(row["passed"])}
    if values["corporate_number"].startswith("vendor:"):
        values["corporate_number"] = ""
    return Designation(**values)
