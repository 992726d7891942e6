"""The portal's SQLite file holds password hashes: only its owner reads it, and git ignores it."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from pipeline.settings import PROJECT_ROOT
from portal.accounts import Store
from portal.database import PortalFileError
from tests.portal.conftest import PASSWORD


def test_the_file_and_its_wal_are_private(tmp_path):
    path = tmp_path / "data" / "portal.sqlite3"
    store = Store(path)
    store.create("tokyo", "pref:13", PASSWORD)
    with sqlite3.connect(path) as con:  # keep a connection open: the -wal and -shm files stay
        con.execute("select count(*) from accounts").fetchone()
        for name in ("portal.sqlite3", "portal.sqlite3-wal", "portal.sqlite3-shm"):
            assert (path.parent / name).stat().st_mode & 0o777 == 0o600, name


def test_a_file_made_readable_is_tightened(tmp_path):
    path = tmp_path / "portal.sqlite3"
    Store(path)
    path.chmod(0o644)
    Store(path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_git_ignores_the_file_and_its_wal():
    names = ["data/portal.sqlite3", "data/portal.sqlite3-wal", "data/portal.sqlite3-shm"]
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *names], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert done.stdout.split() == names


def test_a_file_of_the_earlier_layout_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "portal.sqlite3"
    with sqlite3.connect(path) as con:
        con.execute("create table accounts (username text primary key)")
    with pytest.raises(PortalFileError, match="move it aside"):
        Store(path)


def test_a_call_never_closes_the_files_last_connection(tmp_path):
    """The store keeps one idle connection open, so a call's own closing connection is never the
    last: SQLite would checkpoint the WAL and remove it on every call. Each call still reads the
    last commit, whoever made it."""
    path = tmp_path / "portal.sqlite3"
    store = Store(path)
    store.create("tokyo", "pref:13", PASSWORD)
    assert (tmp_path / "portal.sqlite3-wal").exists()  # not checkpointed away by the call's close
    other = Store(path)  # e.g. `accounts` on the command line, while the server runs
    other.create("osaka", "pref:27", PASSWORD)
    assert {row[0] for row in store.accounts()} == {"tokyo", "osaka"}
