"""The portal's SQLite file: private to its owner, in WAL mode, its audit log guarded.

Each thread of the server keeps one connection of its own (opened on its first call), so the
store is safe to share between the threads and a request does not pay for opening the file,
nor, on closing the last connection, for checkpointing the WAL; a write is one
`BEGIN IMMEDIATE` transaction, so two writers queue instead of failing half-way, and each
commit is synced as before.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
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
    tighten one made before. SQLite gives its -wal and -shm files the same mode."""
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


class Database:
    def __init__(self, path: Path, clock: Clock = time.time):
        self.path = Path(path)
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._kept = threading.local()  # each thread's connection, closed when it is collected
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

    def _open(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        # Without it, INSERT OR REPLACE deletes the old row without firing the delete trigger.
        con.execute("pragma recursive_triggers = on")
        con.set_authorizer(_guard)
        return con

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (SQLite's own check keeps it to this thread)."""
        con = getattr(self._kept, "connection", None)
        if con is None:
            con = self._kept.connection = self._open()
        return con

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, in autocommit: each statement reads the last commit."""
        yield self._connection()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, taken at once: committed on success, rolled back on any error."""
        con = self._connection()
        con.execute("begin immediate")
        try:
            yield con
            con.execute("commit")
        except BaseException:
            if con.in_transaction:  # also when the commit itself failed: the kept connection is clean
                con.execute("rollback")
            raise

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
