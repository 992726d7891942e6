"""One world for the 一覧 tests: the real pipeline over a tiny two-year data set of our own
(2024 and 2025, so that the KPIs have two years), run once per session, and helpers that run
the real command line against it with a plans store of the test's own."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT, Paths
from tests.conftest import Pipeline, cli_env, cn, firm, write_csv

TOKYO, OSAKA = "13", "27"
CANDIDATES = (1, 2, 3)  # Tokyo firms on the 2025 list
SMALL = 4  # a Tokyo firm below the size test: never a candidate
EVIDENCE_PASSES = 5  # big enough, no vendor transactions; its evidence shows sales to Osaka
EVIDENCE_FAILS = 6  # big enough, no vendor transactions; its evidence shows only a sale inside Tokyo
OSAKA_FIRM = 20
# Kanagawa: a 個人 (no 法人番号, keyed by the vendor's code) big enough and selling to Osaka, so on
# Kanagawa's list; a small 個人 that is not; and a small 法人 they trade with inside Kanagawa.
KANAGAWA = "14"
KOJIN = "=KJ42"  # a code a spreadsheet would take for a formula
KOJIN_SMALL = "KJ43"
KANAGAWA_FIRM = 30

# Sales, employees and average wage per firm and year: the KPI test sums these by hand.
SIZES = {
    2024: {1: (6_000_000_000, 120, 5_000_000), 2: (4_000_000_000, 80, 4_000_000),
           3: (2_000_000_000, 50, 6_000_000)},
    2025: {1: (6_600_000_000, 130, 5_200_000), 2: (4_400_000_000, 70, 4_100_000),
           3: (2_200_000_000, 60, 6_300_000)},
}  # fmt: skip
KOJIN_SIZES = {2024: (3_000_000_000, 40, 4_500_000), 2025: (3_300_000_000, 45, 4_600_000)}
# Transactions per year (supplier, customer, yen); a 個人 is named by its vendor code.
TRANSACTIONS = {
    2024: [(1, 20, 2_500_000_000), (2, 21, 1_800_000_000), (3, 22, 900_000_000), (2, 1, 300_000_000),
           (4, 3, 80_000_000), (4, 20, 40_000_000), (20, 21, 1_000_000_000), (21, 2, 600_000_000),
           (22, 4, 10_000_000)],
    2025: [(1, 20, 3_000_000_000), (2, 21, 2_000_000_000), (3, 22, 1_000_000_000), (2, 1, 400_000_000),
           (4, 3, 100_000_000), (4, 20, 50_000_000), (20, 21, 1_000_000_000), (21, 2, 700_000_000),
           (1, 3, 250_000_000), (22, 4, 10_000_000)],
}  # fmt: skip
KOJIN_TRANSACTIONS = {
    2024: [(KOJIN, 20, 1_500_000_000), (KANAGAWA_FIRM, KOJIN, 200_000_000),
           (KOJIN_SMALL, KANAGAWA_FIRM, 5_000_000)],
    2025: [(KOJIN, 20, 1_700_000_000), (KANAGAWA_FIRM, KOJIN, 210_000_000),
           (KOJIN, KANAGAWA_FIRM, 120_000_000), (KOJIN_SMALL, KANAGAWA_FIRM, 6_000_000),
           (KOJIN, 1, 40_000_000)],
}  # fmt: skip
PREFECTURE_OF = {**dict.fromkeys((1, 2, 3, SMALL, EVIDENCE_PASSES, EVIDENCE_FAILS), TOKYO),
                 **dict.fromkeys((20, 21, 22), OSAKA),
                 **dict.fromkeys((KOJIN, KOJIN_SMALL, KANAGAWA_FIRM), KANAGAWA)}  # fmt: skip


def kojin(code: str, sales: int, employees: int, wage: int | str = "") -> dict:
    """A 個人's firms row: no 法人番号, the vendor's code, legal form 個人."""
    return firm(0, KANAGAWA, corporate_number="", vendor_code=code, legal_form="個人", name=f"個人商店{code}",
                sales=sales, employees=employees, average_wage_jpy=wage)  # fmt: skip


def trade(supplier: int | str, customer: int | str, amount: int) -> dict:
    """A transactions row naming each side by 法人番号 (a number n) or vendor code (a str)."""
    row = {"amount_jpy": amount}
    for side, who in (("supplier", supplier), ("customer", customer)):
        row[f"{side}_corporate_number"] = cn(who) if isinstance(who, int) else ""
        row[f"{side}_vendor_code"] = who if isinstance(who, str) else ""
    return row


def firms_of(year: int) -> list[dict]:
    rows = []
    for n, (sales, employees, wage) in SIZES[year].items():
        rows.append(firm(n, TOKYO, sales=sales, employees=employees, average_wage_jpy=wage))
    rows.append(firm(SMALL, TOKYO, sales=100_000_000, employees=10, average_wage_jpy=""))
    rows.append(firm(EVIDENCE_PASSES, TOKYO, sales=3_000_000_000, employees=40, average_wage_jpy=""))
    rows.append(firm(EVIDENCE_FAILS, TOKYO, sales=3_000_000_000, employees=40, average_wage_jpy=""))
    rows += [firm(n, OSAKA, average_wage_jpy="") for n in (20, 21, 22)]
    rows.append(kojin(KOJIN, *KOJIN_SIZES[year]))
    rows.append(kojin(KOJIN_SMALL, 100_000_000, 5))
    rows.append(firm(KANAGAWA_FIRM, KANAGAWA, sales=100_000_000, employees=10, average_wage_jpy=""))
    return rows


@dataclass
class World:
    paths: Paths
    root: Path

    def env(self, store: Path) -> dict[str, str]:
        return {**cli_env(self.paths), "PLANS_DB": str(store)}

    def cli(self, store: Path, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pipeline", *args],
            cwd=PROJECT_ROOT, env=self.env(store), capture_output=True, text=True, timeout=300,
        )  # fmt: skip


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> World:
    root = tmp_path_factory.mktemp("ichiran_world")
    pipeline = Pipeline(root)
    columns = ("corporate_number", "name", "prefecture_code", "jsic_division", "sales_jpy", "employees",
               "capital_jpy", "export_sales_jpy", "average_wage_jpy", "vendor_code",
               "legal_form")  # fmt: skip
    for year in (2024, 2025):
        folder = pipeline.paths.raw_dir / str(year)
        write_csv(folder / "firms.csv", columns, firms_of(year))
        write_csv(
            folder / "transactions.csv",
            ("supplier_corporate_number", "customer_corporate_number", "amount_jpy", "supplier_vendor_code",
             "customer_vendor_code"),
            [trade(s, c, a) for s, c, a in TRANSACTIONS[year] + KOJIN_TRANSACTIONS[year]],
        )  # fmt: skip
        run = pipeline.run(str(year))
        assert run.success, run.failure
    return World(pipeline.paths, root)


@pytest.fixture
def marts(world, tmp_path) -> World:
    """The world with a marts folder of the test's own (the releases linked, not copied), so that
    each test publishes its own 一覧 and writes its own assessments."""
    return linked_marts(world, tmp_path)


def linked_marts(world: World, root: Path) -> World:
    own = root / "marts"
    own.mkdir()
    for entry in world.paths.marts_dir.iterdir():
        target = own / entry.name
        if entry.is_symlink():
            target.symlink_to(os.readlink(entry), target_is_directory=True)
        elif entry.name == ".releases":
            target.symlink_to(entry, target_is_directory=True)
        elif entry.is_file():
            shutil.copy(entry, target)
    # A Dagster instance of its own: the 一覧 versions this test publishes are recorded there, not
    # among the shared cycle's (whose versions a test counts).
    paths = Paths(world.paths.raw_dir, own, world.paths.duckdb_path, root / "dagster",
                  world.paths.registry_path)  # fmt: skip
    return World(paths, root)


def plan_file(
    folder: Path, rows: list[dict], name: str = "firms.csv", encoding: str = "utf-8-sig", columns=None
) -> Path:
    columns = columns or ("corporate_number", "basis", "evidence_file", "note")
    return write_csv(folder / name, columns, rows, encoding)


def evidence_file(folder: Path, name: str, rows: list[tuple[str, int, str, int]]) -> Path:
    """rows: (direction, counterparty number n, its prefecture, yen)."""
    columns = ("direction", "counterparty_corporate_number", "counterparty_prefecture_code", "amount_jpy")
    return write_csv(
        folder / name,
        columns,
        [dict(zip(columns, (d, cn(n), p, a), strict=True)) for d, n, p, a in rows],
    )


CYCLE_PLAN = ("--prefecture", "13", "--title", "東京半導体クラスター計画", "--focus", "=半導体・電子部品",
        "--from", "2026-04-01", "--to", "2030-03-31")  # fmt: skip
DROPPED = CANDIDATES[2]


@dataclass
class Cycle:
    world: World
    store: Path
    store_before_v1: Path

    def cli(self, *args: str):
        return self.world.cli(self.store, *args)

    @property
    def ichiran(self) -> Path:
        return self.world.paths.marts_dir / "ichiran"


def ok(result):
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="session")
def cycle(world, tmp_path_factory) -> Cycle:
    root = tmp_path_factory.mktemp("ichiran_cycle")
    marts = linked_marts(world, root)
    store = root / "plans.sqlite3"
    rows = [{"corporate_number": cn(n), "basis": "candidate"} for n in (*CANDIDATES, SMALL)]
    first = plan_file(root, rows, "rev1.csv")
    ok(marts.cli(store, "plans", "submit", *CYCLE_PLAN, "--firms", str(first)))
    ok(marts.cli(store, "plans", "approve", "13-0001", "--revision", "1", "--reason", "要件を満たす",
                 "--exclude", cn(SMALL)))  # fmt: skip
    before = root / "plans-before-v1.sqlite3"
    with sqlite3.connect(store) as source, sqlite3.connect(before) as copy:
        source.backup(copy)
    ok(marts.cli(store, "ichiran", "publish", "--effective", "2026-04-01"))
    second = plan_file(root, rows[:2], "rev2.csv")
    ok(marts.cli(store, "plans", "submit", *CYCLE_PLAN, "--plan", "13-0001", "--firms", str(second)))
    ok(marts.cli(store, "plans", "approve", "13-0001", "--revision", "2", "--reason", "半期見直し"))
    ok(marts.cli(store, "ichiran", "publish", "--effective", "2026-10-01"))
    return Cycle(marts, store, before)
