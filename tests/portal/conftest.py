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
from tests.conftest import YEAR, Pipeline

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
