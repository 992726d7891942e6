"""The registry: each fiscal year's rule and every release, as recorded state.

A SQLite file (WAL) beside the warehouse, not inside it: the warehouse is a cache that can be
rebuilt from the inputs, but who changed a rule, when and why, and which releases went live,
cannot. Every table is append-only (triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.queries import sql_path
from pipeline.registry.rule import YearRule

SCHEMA = sql_path("registry_schema")


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's numeric user)
        return "unknown"


@dataclass(frozen=True)
class RuleChange:
    change_id: int
    fiscal_year: int
    changed_at: str
    changed_by: str
    reason: str
    rule: YearRule


@dataclass(frozen=True)
class Release:
    release_id: str
    fiscal_year: int
    published_at: str
    dagster_run_id: str
    git_commit: str
    rule_sha256: str
    input_sha256: dict[str, str]
    candidates: int
    manifest_sha256: str
    folder: str
    superseded_at: str | None = None
    pruned_at: str | None = None


_RELEASES = """
select r.*,
       lead(r.published_at) over (partition by r.fiscal_year order by r.published_at, r.rowid)
           as superseded_at,
       p.pruned_at
from releases r left join release_prunes p using (release_id)
"""


class Registry:
    """The registry file at `path`, created on first use."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as con:
            con.row_factory = sqlite3.Row
            con.executescript(SCHEMA.read_text(encoding="utf-8"))
            yield con

    # The rule ------------------------------------------------------------------------------

    def current_rule(self, fiscal_year: int) -> YearRule:
        """The year's rule in force: its last recorded change, else the contract's defaults."""
        history = self.rule_history(fiscal_year)
        return history[-1].rule if history else YearRule()

    def rule_history(self, fiscal_year: int) -> list[RuleChange]:
        with self._connect() as con:
            rows = con.execute(
                "select * from rule_changes where fiscal_year = ? order by change_id", [fiscal_year]
            ).fetchall()
        return [
            RuleChange(
                r["change_id"],
                r["fiscal_year"],
                r["changed_at"],
                r["changed_by"],
                r["reason"],
                YearRule.model_validate_json(r["rule"]),
            )
            for r in rows
        ]

    def change_rule(
        self, fiscal_year: int, rule: YearRule, reason: str, changed_by: str | None = None
    ) -> RuleChange | None:
        """Record `rule` as the year's rule; None (and nothing recorded) when it is the rule
        already in force."""
        with self._connect() as con:
            con.execute("begin immediate")  # two writers: the second waits, then sees the first
            last = con.execute(
                "select rule from rule_changes where fiscal_year = ? order by change_id desc limit 1",
                [fiscal_year],
            ).fetchone()
            current = YearRule.model_validate_json(last["rule"]) if last else YearRule()
            if current.as_json() == rule.as_json():
                con.execute("rollback")
                return None
            change = (fiscal_year, utc_now(), changed_by or os_user(), reason, rule.as_json(), rule.sha256())
            cursor = con.execute(
                "insert into rule_changes (fiscal_year, changed_at, changed_by, reason, rule, rule_sha256) "
                "values (?, ?, ?, ?, ?, ?)",
                change,
            )
            con.execute("commit")
        return RuleChange(cursor.lastrowid, fiscal_year, change[1], change[2], reason, rule)

    # Releases ------------------------------------------------------------------------------

    def record_release(self, release: Release) -> None:
        with self._connect() as con:
            con.execute(
                "insert into releases (release_id, fiscal_year, published_at, dagster_run_id, git_commit, "
                "rule_sha256, input_sha256, candidates, manifest_sha256, folder) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    release.release_id,
                    release.fiscal_year,
                    release.published_at,
                    release.dagster_run_id,
                    release.git_commit,
                    release.rule_sha256,
                    json.dumps(release.input_sha256, sort_keys=True),
                    release.candidates,
                    release.manifest_sha256,
                    release.folder,
                ),
            )

    def releases(self, fiscal_year: int | None = None) -> list[Release]:
        """Every release (of one year), oldest first, with when it was superseded and pruned."""
        where, params = ("where fiscal_year = ?", [fiscal_year]) if fiscal_year is not None else ("", [])
        with self._connect() as con:
            rows = con.execute(
                f"select * from ({_RELEASES}) {where} order by fiscal_year, published_at", params
            ).fetchall()
        return [_release(row) for row in rows]

    def release(self, release_id: str) -> Release | None:
        return next((r for r in self.releases() if r.release_id == release_id), None)

    def record_prune(self, release_id: str, retention: str, pruned_by: str | None = None) -> None:
        with self._connect() as con:
            con.execute(
                "insert into release_prunes (release_id, pruned_at, pruned_by, retention) "
                "values (?, ?, ?, ?)",
                (release_id, utc_now(), pruned_by or os_user(), retention),
            )


def _release(row: sqlite3.Row) -> Release:
    return Release(
        release_id=row["release_id"],
        fiscal_year=row["fiscal_year"],
        published_at=row["published_at"],
        dagster_run_id=row["dagster_run_id"],
        git_commit=row["git_commit"],
        rule_sha256=row["rule_sha256"],
        input_sha256=json.loads(row["input_sha256"]),
        candidates=row["candidates"],
        manifest_sha256=row["manifest_sha256"],
        folder=row["folder"],
        superseded_at=row["superseded_at"],
        pruned_at=row["pruned_at"],
    )
