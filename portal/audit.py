"""The audit log: append-only, hash-chained, bounded, and readable page by page.

Every row's hash covers its fields and the previous row's hash, so a changed, removed or
inserted row breaks the chain from there on (`verify`). Someone with the file can rewrite the
whole chain after an edit; the head that `verify` prints, kept elsewhere, shows that too.

Denials (a refused page, a probe for a file, a rate-limited login) are logged one by one up to
DENIALS_PER_MINUTE per client address and account; beyond that they are counted, and the
count is written as one `suppressed` row when the minute is over.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from portal.database import AUDIT_TRIGGERS, Database
from portal.names import as_logged, bounded

GENESIS = "0" * 64
DENIALS_PER_MINUTE = 10
PAGE_ROWS = 100
COLUMNS = "id, at, username, action, target, result, client"


def row_hash(prev_hash: str, row: tuple) -> str:
    """The chain's hash of one row (id, at, username, action, target, result, client)."""
    text = json.dumps([*row, prev_hash], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditFilter:
    """What the secretariat narrows the log to; empty fields match everything."""

    username: str = ""
    action: str = ""
    result: str = ""
    client: str = ""
    since: date | None = None
    until: date | None = None  # inclusive

    def where(self) -> tuple[str, list]:
        clauses, params = [], []
        for column in ("username", "action", "result", "client"):
            value = getattr(self, column).strip()
            if value:
                clauses.append(f"{column} = ?")
                params.append(value.casefold() if column == "username" else value)
        for bound, operator in ((self.since, ">="), (self.until, "<=")):
            if bound:
                clauses.append(f"substr(at, 1, 10) {operator} ?")  # the UTC date of the row
                params.append(bound.isoformat())
        return (" where " + " and ".join(clauses)) if clauses else "", params


@dataclass(frozen=True)
class AuditPage:
    rows: list[tuple]
    total: int  # rows that match the filter, on every page
    next_before: int | None  # the `before` of the next (older) page, None on the last one


@dataclass(frozen=True)
class AuditCheck:
    rows: int
    head_id: int
    head_hash: str
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


class AuditLog:
    def __init__(self, db: Database):
        self.db = db

    def record(self, username: str | None, action: str, target: str, result: str, client: str) -> None:
        with self.db.write() as con:
            self._append(con, username, action, target, result, client)

    def record_denial(self, username: str | None, action: str, target: str, result: str, client: str) -> None:
        """A denied or failed request: logged, or counted once this client's minute is full."""
        who, where = as_logged(username) or "", bounded(client, 64)
        now = self.db.now()
        with self.db.write() as con:
            self._close_windows(con, now)
            row = con.execute(
                "select logged from audit_budget where client = ? and username = ?", [where, who]
            ).fetchone()
            if row is None:
                con.execute("insert into audit_budget values (?, ?, ?, 0, 0)", [where, who, now])
            if row is None or row[0] < DENIALS_PER_MINUTE:
                self._append(con, username, action, target, result, client)
                column = "logged"
            else:
                column = "suppressed"
            con.execute(
                f"update audit_budget set {column} = {column} + 1 where client = ? and username = ?",
                [where, who],
            )

    def flush(self) -> None:
        """Write the counts of every minute that is over (the audit page calls this)."""
        with self.db.write() as con:
            self._close_windows(con, self.db.now())

    def _close_windows(self, con: sqlite3.Connection, now: float) -> None:
        done = con.execute(
            "select client, username, suppressed from audit_budget where window_start <= ?", [now - 60]
        ).fetchall()
        for client, username, suppressed in done:
            if suppressed:
                target = f"{suppressed} more denials in a minute, counted but not logged one by one"
                self._append(con, username or None, "denials", target, "suppressed", client)
        con.execute("delete from audit_budget where window_start <= ?", [now - 60])

    def _append(self, con, username, action, target, result, client) -> None:
        last = con.execute("select id, hash from audit_log order by id desc limit 1").fetchone()
        row_id, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        row = (
            row_id,
            self.db.now_text(),
            as_logged(username),
            action,
            bounded(target, 200),
            result,
            bounded(client, 64),
        )
        con.execute(
            "insert into audit_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)", [*row, prev, row_hash(prev, row)]
        )

    def page(self, where: AuditFilter = AuditFilter(), before: int | None = None) -> AuditPage:
        """Newest first, PAGE_ROWS at a time; `before` is the id the page starts below."""
        clause, params = where.where()
        with self.db.read() as con:
            (total,) = con.execute(f"select count(*) from audit_log{clause}", params).fetchone()
            if before is not None:
                clause += (" and" if clause else " where") + " id < ?"
                params = [*params, before]
            rows = con.execute(
                f"select {COLUMNS} from audit_log{clause} order by id desc limit ?", [*params, PAGE_ROWS + 1]
            ).fetchall()
        more = len(rows) > PAGE_ROWS
        rows = rows[:PAGE_ROWS]
        return AuditPage(rows, total, rows[-1][0] if more else None)

    def entries(self) -> list[tuple]:
        """Every row, newest first (for tests and the command line)."""
        with self.db.read() as con:
            return con.execute(f"select {COLUMNS} from audit_log order by id desc").fetchall()


def verify_audit(path: Path, expect: tuple[int, str] | None = None) -> AuditCheck:
    """Recompute the chain from the first row and name the first row where it breaks; with
    `expect` (an id and hash printed by an earlier check and kept elsewhere), also check that
    the row is still there unchanged. The file is opened read only and never repaired."""
    if not Path(path).is_file():
        return AuditCheck(0, 0, GENESIS, [f"{path} does not exist"])
    with closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as con:
        names = {name for (name,) in con.execute("select name from sqlite_master")}
        if "audit_log" not in names:
            return AuditCheck(0, 0, GENESIS, ["the audit_log table is gone"])
        problems = [f"trigger {name} is missing" for name in AUDIT_TRIGGERS if name not in names]
        rows = con.execute(f"select {COLUMNS}, prev_hash, hash from audit_log order by id").fetchall()
    prev, expected_id, hashes = GENESIS, 1, {}
    for *fields, prev_hash, stored in rows:
        problem = None
        if fields[0] != expected_id:
            problem = f"row {expected_id} is missing (the next row is {fields[0]})"
        elif prev_hash != prev:
            problem = f"row {fields[0]} does not follow the row before it"
        elif row_hash(prev_hash, tuple(fields)) != stored:
            problem = f"row {fields[0]} was changed after it was written"
        if problem:
            problems.append(problem)
            break
        prev, expected_id, hashes[fields[0]] = stored, fields[0] + 1, stored
    if expect and hashes.get(expect[0]) != expect[1]:
        problems.append(f"row {expect[0]} no longer has the hash recorded for it: the log was rewritten")
    head_id, head_hash = (rows[-1][0], rows[-1][-1]) if rows else (0, GENESIS)
    return AuditCheck(len(rows), head_id, head_hash, problems)


def verify_audit_command(path: Path, expect: str | None) -> int:
    """`python -m pipeline accounts verify-audit`: 0 if the log is intact, 1 if not, 2 on bad input."""
    anchor = None
    if expect:
        row_id, _, digest = expect.partition(":")
        if not (row_id.isascii() and row_id.isdigit() and len(digest) == 64):
            print("error: --expect takes ID:HASH as printed by an earlier check", file=sys.stderr)
            return 2
        anchor = (int(row_id), digest)
    check = verify_audit(path, anchor)
    if not check.intact:
        for problem in check.problems:
            print(f"audit log NOT intact: {problem}")
        return 1
    print(f"audit log intact: {check.rows} rows, hash chain and triggers checked")
    print(f"head {check.head_id}:{check.head_hash}  (keep this line elsewhere; check later with --expect)")
    return 0
