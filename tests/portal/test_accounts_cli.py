"""Accounts are made, revoked and given new passwords with `python -m pipeline accounts`, and
stored hashed; `accounts verify-audit` checks the audit log's chain."""

from __future__ import annotations

import os
import subprocess
import sys

from pipeline.settings import PROJECT_ROOT
from portal.accounts import Store


def _accounts(database, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "accounts", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PORTAL_DB": str(database)},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_list_reset_and_revoke_an_account(tmp_path):
    database = tmp_path / "portal.sqlite3"
    password = "a long secret password"
    made = _accounts(
        database, "create", "Tokyo", "--role", "pref:13", "--password-stdin", stdin=password + "\n"
    )
    assert made.returncode == 0, made.stderr
    assert "created tokyo" in made.stdout  # names are case-folded
    assert password.encode() not in database.read_bytes()  # only its Argon2 hash is kept
    assert Store(database).authenticate("tokyo", password) is not None
    listed = _accounts(database, "list")
    assert "tokyo" in listed.stdout and "pref:13" in listed.stdout and "active" in listed.stdout
    again = _accounts(database, "create", "TOKYO", "--role", "pref:13", "--generate-password")
    assert again.returncode == 2 and "exists" in again.stderr
    reset = _accounts(database, "set-password", "tokyo", "--generate-password")
    assert reset.returncode == 0 and "shown once" in reset.stdout, reset.stderr
    assert Store(database).authenticate("tokyo", password) is None
    new_password = reset.stdout.split("(shown once): ")[1].strip()
    assert Store(database).authenticate("tokyo", new_password) is not None
    assert _accounts(database, "revoke", "tokyo").returncode == 0
    assert Store(database).authenticate("tokyo", new_password) is None
    reused = _accounts(database, "create", "tokyo", "--role", "pref:13", "--generate-password")
    assert reused.returncode == 2 and "never used again" in reused.stderr
    generated = _accounts(database, "create", "tokyo2", "--role", "pref:13", "--generate-password")
    assert generated.returncode == 0 and "shown once" in generated.stdout


def test_bad_roles_names_and_passwords_get_clear_messages(tmp_path):
    database = tmp_path / "portal.sqlite3"
    role = _accounts(database, "create", "x-user", "--role", "pref:48", "--password-stdin", stdin="p" * 20)
    assert role.returncode == 2 and "unknown role" in role.stderr
    short = _accounts(database, "create", "x-user", "--role", "reviewer", "--password-stdin", stdin="short")
    assert short.returncode == 2 and "at least 12" in short.stderr
    common = _accounts(
        database, "create", "x-user", "--role", "reviewer", "--password-stdin", stdin="aaaaaaaaaaaa"
    )
    assert common.returncode == 2 and "too easy to guess" in common.stderr
    missing = _accounts(database, "revoke", "nobody")
    assert missing.returncode == 2 and "no active account" in missing.stderr
