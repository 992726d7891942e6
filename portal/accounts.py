"""Accounts, sessions, failed-login limits and the audit log, in the portal's SQLite file.

Passwords are hashed with Argon2id (argon2-cffi); session tokens are random and stored
only as their SHA-256, so a copy of the file gives no one a session.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pipeline.prefectures import PREFECTURES

SCHEMA = Path(__file__).with_name("schema.sql")
PREFECTURE_CODES = {p.code for p in PREFECTURES}
ROLE = re.compile(r"pref:(\d{2})|secretariat|reviewer")
USERNAME = re.compile(r"[A-Za-z0-9_.@-]{3,64}")
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 5  # per account ...
MAX_CLIENT_FAILURES = 20  # ... or per client address (an office may share one) ...
FAILURE_WINDOW_SECONDS = 15 * 60  # ... within this window
_HASHER = PasswordHasher()
# Verified when the account is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A request about accounts that cannot be done, with a message for the user."""


@dataclass(frozen=True)
class Account:
    username: str
    role: str

    @property
    def prefecture(self) -> str | None:
        """The prefecture code of a prefecture account, else None."""
        return self.role[5:] if self.role.startswith("pref:") else None

    @property
    def is_secretariat(self) -> bool:
        return self.role == "secretariat"

    @property
    def is_reviewer(self) -> bool:
        return self.role == "reviewer"


@dataclass(frozen=True)
class Session:
    account: Account
    csrf_token: str


def check_role(role: str) -> str:
    """The role if it is one the portal knows, else AccountError."""
    match = ROLE.fullmatch(role)
    if not match or (match.group(1) and match.group(1) not in PREFECTURE_CODES):
        raise AccountError(f"unknown role {role!r}: use pref:01 … pref:47, secretariat or reviewer")
    return role


def _now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Store:
    """The portal's SQLite file. Each call opens and closes its own connection, so the store
    is safe to share between the server's threads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(SCHEMA.read_text(encoding="utf-8"))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # closing() closes the file; `con` as a context is one transaction (commit or roll back).
        with closing(sqlite3.connect(self.path, timeout=10)) as con, con:
            yield con

    # -- accounts ---------------------------------------------------------------------

    def create(self, username: str, role: str, password: str) -> Account:
        if not USERNAME.fullmatch(username):
            raise AccountError("a username is 3–64 letters, digits or . _ @ -")
        if len(password) < 12:
            raise AccountError("a password has at least 12 characters")
        check_role(role)
        with self._connect() as con:
            if con.execute("select 1 from accounts where username = ?", [username]).fetchone():
                raise AccountError(f"account {username!r} exists; revoke it first to replace it")
            con.execute(
                "insert into accounts values (?, ?, ?, ?, null)",
                [username, role, _HASHER.hash(password), _now_text()],
            )
        return Account(username, role)

    def revoke(self, username: str) -> None:
        """Revoke an account and end its sessions; the row stays for the audit trail."""
        with self._connect() as con:
            done = con.execute(
                "update accounts set revoked_at = ? where username = ? and revoked_at is null",
                [_now_text(), username],
            )
            if done.rowcount == 0:
                raise AccountError(f"no active account {username!r}")
            con.execute("delete from sessions where username = ?", [username])
            # Free the name for a new account; the audit log keeps the old one's actions.
            con.execute(
                "update accounts set username = username || '#revoked-' || revoked_at where username = ?",
                [username],
            )

    def accounts(self) -> list[tuple[str, str, str, str | None]]:
        with self._connect() as con:
            return con.execute(
                "select username, role, created_at, revoked_at from accounts order by username"
            ).fetchall()

    # -- logging in -------------------------------------------------------------------

    def too_many_failures(self, username: str, client: str) -> bool:
        since = time.time() - FAILURE_WINDOW_SECONDS
        with self._connect() as con:
            (by_name,) = con.execute(
                "select count(*) from login_failures where username = ? and at > ?", [username, since]
            ).fetchone()
            (by_client,) = con.execute(
                "select count(*) from login_failures where client = ? and at > ?", [client, since]
            ).fetchone()
        return by_name >= MAX_FAILURES or by_client >= MAX_CLIENT_FAILURES

    def authenticate(self, username: str, password: str, client: str) -> Account | None:
        """The account if the password is right; a wrong one is counted against both the
        account and the client address."""
        with self._connect() as con:
            row = con.execute(
                "select role, password_hash from accounts where username = ? and revoked_at is null",
                [username],
            ).fetchone()
        try:
            _HASHER.verify(row[1] if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            row = None
        with self._connect() as con:
            if row is None:
                con.execute("insert into login_failures values (?, ?, ?)", [username, client, time.time()])
                return None
            con.execute("delete from login_failures where username = ?", [username])
        return Account(username, row[0])

    def open_session(self, account: Account) -> tuple[str, Session]:
        """A new session: the token for the cookie, and the session with its CSRF token."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self._connect() as con:
            con.execute("delete from sessions where expires_at < ?", [time.time()])
            con.execute(
                "insert into sessions values (?, ?, ?, ?)",
                [_digest(token), account.username, csrf, time.time() + SESSION_SECONDS],
            )
        return token, Session(account, csrf)

    def session(self, token: str | None) -> Session | None:
        if not token:
            return None
        with self._connect() as con:
            row = con.execute(
                "select a.username, a.role, s.csrf_token from sessions as s "
                "join accounts as a using (username) "
                "where s.token_hash = ? and s.expires_at > ? and a.revoked_at is null",
                [_digest(token), time.time()],
            ).fetchone()
        return Session(Account(row[0], row[1]), row[2]) if row else None

    def close_session(self, token: str | None) -> None:
        if token:
            with self._connect() as con:
                con.execute("delete from sessions where token_hash = ?", [_digest(token)])

    # -- the audit log ----------------------------------------------------------------

    def audit(self, username: str | None, action: str, target: str, result: str, client: str) -> None:
        with self._connect() as con:
            con.execute(
                "insert into audit_log (at, username, action, target, result, client) "
                "values (?, ?, ?, ?, ?, ?)",
                [_now_text(), username, action, target, result, client],
            )

    def audit_entries(self, limit: int = 1000) -> list[tuple]:
        with self._connect() as con:
            return con.execute(
                "select id, at, username, action, target, result, client from audit_log "
                "order by id desc limit ?",
                [limit],
            ).fetchall()
