"""The portal's SQLite file: private to its owner, in WAL mode, its audit log guarded.

Each call opens and closes its own connection, so the store is safe to share between the
server's threads and every call reads the last commit; a write is one `BEGIN IMMEDIATE`
transaction, so two writers queue instead of failing half-way. One more connection stays open,
idle, for the store's life, so that closing a call's connection never checkpoints the WAL.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = Path(__file__).with_name("schema.sql")
SCHEMA_VERSION = 2  # PRAGMA user_version of a file this code made
AUDIT_TRIGGERS = ("audit_log_no_update", "audit_log_no_delete", "audit_log_append_only")
Clock = Callable[[], float]


class PortalFileError(RuntimeError):
    """The portal's file cannot be used as it is, with a message for the operator."""


def _guard(action: int, first: str | None, second: str | None, *_: object) -> int:
    """Refuse, on the portal's own connections, any statement that would drop or rename the
    audit log or its triggers; changing its rows is refused by the triggers themselves."""
    dropping = action in (sqlite3.SQLITE_DROP_TABLE, sqlite3.SQLITE_DROP_TEMP_TABLE) and first == "audit_log"
    untriggering = action in (sqlite3.SQLITE_DROP_TRIGGER, sqlite3.SQLITE_DROP_TEMP_TRIGGER)
    renaming = action == sqlite3.SQLITE_ALTER_TABLE and second == "audit_log"
    if dropping or renaming or (untriggering and second == "audit_log"):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _private(path: Path) -> None:
    """Create the file readable and writable by its owner only (it holds password hashes);
    tighten one made before. SQLite gives its -wal and -shm files the same mode. An existing
    file is never opened here: closing a descriptor of it would drop every POSIX lock this
    process's SQLite connections hold on it, and another process could then write under them."""
    if not path.exists():
        with suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


class Database:
    def __init__(self, path: Path, clock: Clock = time.time):
        self.path = Path(path)
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _private(self.path)
        with closing(self._open()) as con:
            (version,) = con.execute("pragma user_version").fetchone()
            (tables,) = con.execute("select count(*) from sqlite_master where type = 'table'").fetchone()
            if tables and version != SCHEMA_VERSION:
                raise PortalFileError(
                    f"{self.path} was made by another version of the portal (layout {version}, this "
                    f"one reads {SCHEMA_VERSION}): move it aside, keeping it as the old audit trail, "
                    "and create the accounts again"
                )
            names = {name for (name,) in con.execute("select name from sqlite_master")}
            if tables and not {"audit_log", *AUDIT_TRIGGERS} <= names:
                # Someone dropped them with another tool: the schema below would quietly remake them.
                raise PortalFileError(
                    f"{self.path}: the audit log or its triggers were removed outside the portal; "
                    "run `python -m pipeline accounts verify-audit` and keep the file as evidence"
                )
            con.execute("pragma journal_mode = wal")
            con.executescript(
                "begin immediate;\n"
                + SCHEMA.read_text(encoding="utf-8")
                + f"\npragma user_version = {SCHEMA_VERSION};\ncommit;"
            )
        # Held open, idle, for the store's life: a call's own connection is then never the
        # file's last, whose closing would checkpoint the WAL and remove it (most of a call's time).
        self._anchor = self._open()
        self._anchor.execute("select count(*) from sqlite_master").fetchall()

    def _open(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        # Without it, INSERT OR REPLACE deletes the old row without firing the delete trigger.
        con.execute("pragma recursive_triggers = on")
        con.set_authorizer(_guard)
        return con

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with closing(self._open()) as con:
            yield con

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, taken at once: committed on success, rolled back on any error."""
        with closing(self._open()) as con:
            con.execute("begin immediate")
            try:
                yield con
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")

    def now(self) -> float:
        return self.clock()

    def now_text(self) -> str:
        return datetime.fromtimestamp(self.clock(), UTC).isoformat(timespec="seconds")

    def key(self, name: str) -> bytes:
        """A random secret kept in the file (made on first use), e.g. for signing login forms."""
        with self.write() as con:
            con.execute("insert or ignore into portal_keys values (?, ?)", [name, secrets.token_bytes(32)])
            (value,) = con.execute("select value from portal_keys where name = ?", [name]).fetchone()
        return value
