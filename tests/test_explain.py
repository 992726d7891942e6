"""`explain`: why a firm is, or is not, a candidate, against a small graph computed by hand."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from contextlib import contextmanager

import dagster as dg
import duckdb
import pytest

from pipeline.cli import failure_reason, run_config
from pipeline.commands.explain import CannotExplain, explain, render_text
from pipeline.commands.explain_release import explain_release
from pipeline.definitions import JOB_NAME, build_definitions
from pipeline.orchestration.refresh import plan_refresh, selection_of
from pipeline.registry.store import Registry
from pipeline.runtime.release_folders import live_release
from pipeline.stages.publication.manifest import read_manifest
from pipeline.warehouse.connection import Warehouse
from tests.conftest import YEAR, Pipeline, cli, cn, firm, paths_under, sale

FISCAL_YEAR = int(YEAR)
NAME = "株式会社北斗輸出"
INVALID_FIRM_NUMBER = "１２３４５６７８９０１２３"  # full-width; 1234567890123 fails the check digit
SPREADSHEET_NUMBER = "1.18030101877E+12"


def full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


@pytest.fixture(scope="module")
def hand_run(tmp_path_factory):
    """Tokyo (13): 1 (the exporter, ¥400 export) sells ¥900 to 5, ¥800 to 6, ¥600 to 4 and buys
    ¥700 from 3 and ¥300 from 2; 2 sells ¥200 to 4 and ¥50 to 3; 3 (¥1 below the sales threshold)
    sells ¥100 to 5. Osaka (27): 4 sells ¥500 to 5 and ¥1,000 to 2. Hokkaido (01): 6 alone, buying
    only from Tokyo, so both its denominators are 0. Firm 9 has prefecture '99': quarantined, and
    so is its sale to 1 (unknown_supplier), which therefore counts nowhere.

    Beyond Tokyo's numbers: 2 is a 大企業 (3,000 employees, ¥5bn capital), the others with 100
    employees are 中小企業者. Okinawa (47): 7 sells ¥110…¥160 to 2, 3, 4, 5, 6 and 10 (Fukuoka,
    40), six sales to other prefectures, and buys ¥170 from 8 (Okinawa; it counts) and ¥180 from
    4 (Osaka; it does not). None of it touches a Tokyo denominator or firm 1's flows. Two rows
    carry invalid numbers: firms line 12 (full-width, bad check digit) and transactions line 21
    (a number a spreadsheet turned into 1.18030101877E+12)."""
    pipeline = Pipeline(tmp_path_factory.mktemp("explain"))
    pipeline.write(
        [
            firm(1, "13", name=NAME, export_sales_jpy=400),  # CSV line 2
            firm(2, "13", employees=3000, capital_jpy=5_000_000_000),
            firm(3, "13", sales=999_999_999),
            firm(4, "27"),
            firm(5, "27"),
            firm(6, "01"),
            firm(9, "99"),  # CSV line 8
            firm(7, "47"),
            firm(8, "47"),
            firm(10, "40"),
            {**firm(11, "13"), "corporate_number": INVALID_FIRM_NUMBER},  # CSV line 12
        ],
        [
            sale(1, 5, 900),
            sale(1, 6, 800),
            sale(1, 4, 600),
            sale(2, 4, 200),
            sale(3, 5, 100),
            sale(2, 1, 300),
            sale(3, 1, 700),
            sale(2, 3, 50),
            sale(4, 5, 500),
            sale(4, 2, 1000),
            sale(9, 1, 999),  # CSV line 12
            sale(7, 2, 110),
            sale(7, 3, 120),
            sale(7, 4, 130),
            sale(7, 5, 140),
            sale(7, 6, 150),
            sale(7, 10, 160),  # CSV line 18
            sale(8, 7, 170),
            sale(4, 7, 180),
            {**sale(7, 1, 190), "supplier_corporate_number": SPREADSHEET_NUMBER},  # CSV line 21
        ],
    )
    run = pipeline.run(tolerance=1.0)  # one firm row of seven is quarantined: above the 1% default
    assert run.success, run.failure
    return run


@pytest.fixture
def ask(hand_run):
    """explain() on a fresh connection, closed at once so the CLI can open the warehouse."""

    def ask(number: str, year: int | None = FISCAL_YEAR) -> dict:
        with Warehouse(path=str(hand_run.paths.duckdb_path)).connect() as con:
            return explain(con, number, year)

    return ask


def test_candidate_with_its_flows_input_row_and_prefecture(ask):
    answer = ask(cn(1))
    assert (answer["status"], answer["fiscal_year"], answer["corporate_number"]) == (
        "candidate",
        FISCAL_YEAR,
        cn(1),
    )
    f = answer["firm"]
    assert (f["name"], f["prefecture_code"], f["row_number"]) == (NAME, "13", 2)
    assert f["source_file"] == f"{YEAR}/firms.csv"
    # Out: 900 + 800 + 600 to other prefectures + 400 export = 2,700; in: 700 + 300 from Tokyo
    # (9's ¥999 is quarantined).
    assert (f["out_of_prefecture_sales_jpy"], f["in_prefecture_purchases_jpy"]) == (2700, 1000)
    assert (f["sales_to_firms_jpy"], f["purchases_from_firms_jpy"], f["export_sales_jpy"]) == (
        2300,
        1000,
        400,
    )
    # Tokyo's denominators: out 2,700 + 200 + 100 = 3,000; in 1,000 (firm 1) + 50 (firm 3) = 1,050.
    p = answer["prefecture"]
    assert (p["prefecture_code"], p["firms"], p["candidates"]) == ("13", 3, 2)
    assert (p["out_of_prefecture_sales_jpy"], p["in_prefecture_purchases_jpy"]) == (3000, 1050)


@pytest.mark.parametrize(
    ("n", "connector", "hub", "connector_rank", "hub_rank"),
    [
        (1, 2700 / 3000, 1000 / 1050, 1, 1),
        (2, 200 / 3000, 0.0, 2, 3),
        (3, 100 / 3000, 50 / 1050, 3, 2),
        (6, None, None, None, None),  # Hokkaido: both denominators 0
    ],
)
def test_degrees_and_ranks(ask, n, connector, hub, connector_rank, hub_rank):
    f = ask(cn(n))["firm"]
    assert f["connector_degree"] == (None if connector is None else pytest.approx(connector, abs=1e-15))
    assert f["hub_degree"] == (None if hub is None else pytest.approx(hub, abs=1e-15))
    assert (f["connector_rank"], f["hub_rank"]) == (connector_rank, hub_rank)


@pytest.mark.parametrize(
    ("n", "status", "passed"),
    [
        (1, "candidate", [True, True, True, True]),
        (2, "candidate", [True, True, True, False]),  # bought nothing in Tokyo: hub 0
        (3, "not_candidate", [False, True, True, True]),  # ¥999,999,999: fails only the sales part
        (6, "not_candidate", [True, True, False, False]),  # null degrees pass nothing
    ],
)
def test_rule_parts(ask, n, status, passed):
    answer = ask(cn(n))
    assert answer["status"] == status
    parts = answer["rule_parts"]
    assert [p["test"] for p in parts] == ["sales_jpy ≥", "employees ≥", "connector_degree ≥", "hub_degree ≥"]
    assert [p["threshold"] for p in parts] == [1_000_000_000, 20, 0.001, 0.001]
    assert [p["passed"] for p in parts] == passed


def _largest(rows: list[dict]) -> list[tuple]:
    return [(r["counterparty"], r["counterparty_prefecture_code"], r["amount_jpy"]) for r in rows]


def test_largest_contributing_transactions_in_order(ask):
    answer = ask(cn(1))
    # The export is no transaction; the purchases from Osaka/Hokkaido do not count for the hub degree.
    assert _largest(answer["largest_out_of_prefecture_sales"]) == [
        (cn(5), "27", 900),
        (cn(6), "01", 800),
        (cn(4), "27", 600),
    ]
    assert _largest(answer["largest_in_prefecture_purchases"]) == [(cn(3), "13", 700), (cn(2), "13", 300)]
    answer = ask(cn(3))
    assert _largest(answer["largest_out_of_prefecture_sales"]) == [(cn(5), "27", 100)]
    assert _largest(answer["largest_in_prefecture_purchases"]) == [(cn(2), "13", 50)]
    assert ask(cn(6))["largest_out_of_prefecture_sales"] == []


def test_quarantined_firm_shows_reason_and_input_row(ask):
    for year in (FISCAL_YEAR, None):  # without a year: the latest year holding the number
        answer = ask(cn(9), year)
        assert (answer["status"], answer["fiscal_year"]) == ("quarantined", FISCAL_YEAR)
        [row] = answer["quarantine"]
        assert (row["reason"], row["row_number"]) == ("invalid_prefecture", 8)
        assert row["source_file"] == f"{YEAR}/firms.csv"
        assert json.loads(row["raw"])["prefecture_code"] == "99"


def test_absent_firm(ask):
    assert ask(cn(42))["status"] == "absent"
    assert ask(cn(42), None) == {
        "corporate_number": cn(42),
        "vendor_code": None,
        "status": "absent",
        "fiscal_year": None,
    }
    assert ask(cn(1), FISCAL_YEAR - 1)["status"] == "absent"


def test_full_width_digits_are_accepted(ask):
    answer = ask(f" {full_width(cn(1))} ", None)
    assert (answer["corporate_number"], answer["status"], answer["fiscal_year"]) == (
        cn(1),
        "candidate",
        FISCAL_YEAR,
    )


@pytest.mark.parametrize("number", [str((int(cn(1)[0]) + 1) % 10) + cn(1)[1:], "123", "abcdefghijklm"])
def test_invalid_number_raises_a_clear_error(ask, number):
    with pytest.raises(ValueError, match="not a valid 法人番号"):
        ask(number)


def test_command_line(hand_run):
    text = cli(hand_run.paths, "explain", cn(1))
    assert text.returncode == 0, text.stderr
    assert NAME in text.stdout
    assert "重点支援企業候補です" in text.stdout

    not_candidate = cli(hand_run.paths, "explain", cn(3), "--year", YEAR)
    assert not_candidate.returncode == 0, not_candidate.stderr
    assert "候補ではありません" in not_candidate.stdout

    as_json = cli(hand_run.paths, "explain", cn(1), "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["status"] == "candidate"

    absent = cli(hand_run.paths, "explain", cn(42))
    assert absent.returncode == 1
    assert cn(42) in absent.stdout

    bad = str((int(cn(1)[0]) + 1) % 10) + cn(1)[1:]
    invalid = cli(hand_run.paths, "explain", bad)
    assert invalid.returncode == 2
    assert invalid.stdout == ""
    [line] = invalid.stderr.strip().splitlines()
    assert bad in line and "法人番号" in line


@contextmanager
def holding_the_warehouse(paths):
    """Another process holds the DuckDB file, as a run does, until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WAREHOUSE, str(paths.duckdb_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield
    finally:
        holder.kill()
        holder.wait()


def published_row(paths, release_id: str, number: str) -> dict:
    """A firm's row in a release's firm_degrees.parquet, read straight from the file."""
    path = paths.marts_dir / ".releases" / release_id / "firm_degrees.parquet"
    with duckdb.connect() as con:
        cursor = con.execute("select * from read_parquet(?) where corporate_number = ?", [str(path), number])
        columns = [d[0] for d in cursor.description]
        [row] = cursor.fetchall()
    return dict(zip(columns, row, strict=True))


def assert_firm_is_published_row(answer: dict, row: dict) -> None:
    """Every published column of the answer's firm is the release's value."""
    assert {k: answer["firm"][k] for k in row} == row


def test_command_line_while_a_run_holds_the_warehouse(hand_run):
    """A run holding the warehouse no longer stops explain: the release's files answer."""
    paths = hand_run.paths
    release = live_release(paths.marts_dir, FISCAL_YEAR)
    with holding_the_warehouse(paths):
        busy = cli(paths, "explain", cn(1))
        answer = explain_release(paths, cn(1))
        by_raw_text = explain_release(paths, SPREADSHEET_NUMBER)
    assert busy.returncode == 0, busy.stderr
    assert "is a run in progress?" in busy.stdout and "リリースのファイル" in busy.stdout
    assert "コネクター度 0.900000" in busy.stdout and "取引単位の明細: なし" in busy.stdout
    assert (answer["detail_from"], answer["warehouse"]["state"]) == ("release_files", "busy")
    assert answer["release"]["release_id"] == release
    assert_firm_is_published_row(answer, published_row(paths, release, cn(1)))
    assert answer["firm"]["connector_degree"] == pytest.approx(2700 / 3000, abs=1e-15)
    # Tokyo's denominators summed from firm_degrees.parquet: the warehouse's, by hand.
    p = answer["prefecture"]
    assert (p["out_of_prefecture_sales_jpy"], p["in_prefecture_purchases_jpy"], p["firms"]) == (3000, 1050, 3)
    assert (p["candidates"], p["prefecture_name"]) == (2, "東京都")
    assert answer["largest_out_of_prefecture_sales"] is None
    [row] = by_raw_text["quarantined_transactions"]
    assert (by_raw_text["status"], row["row_number"], row["reason"]) == (
        "quarantined",
        21,
        "invalid_corporate_number",
    )


# Another process that holds the DuckDB file as a run does, until it is killed.
HOLD_THE_WAREHOUSE = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(600)
"""


def test_header_matches_the_manifest_and_the_registry(hand_run):
    paths = hand_run.paths
    as_json = cli(paths, "explain", cn(1), "--json")
    text = cli(paths, "explain", cn(1))
    assert as_json.returncode == 0 and text.returncode == 0, as_json.stderr + text.stderr
    answer = json.loads(as_json.stdout)
    header = answer["release"]
    [recorded] = Registry(paths.registry_path).releases(FISCAL_YEAR)
    folder = paths.marts_dir / recorded.folder
    manifest = read_manifest(folder)
    assert header["release_id"] == recorded.release_id == live_release(paths.marts_dir, FISCAL_YEAR)
    assert header["dagster_run_id"] == manifest["dagster_run_id"] == hand_run.result.run_id
    assert header["manifest_sha256"] == hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    assert header["manifest_sha256"] == recorded.manifest_sha256 and header["manifest_matches_registry"]
    assert header["inputs"] == [
        {"source_file": i["source_file"], "sha256": i["sha256"]} for i in manifest["inputs"]
    ]
    assert {i["source_file"]: i["sha256"] for i in header["inputs"]} == recorded.input_sha256
    assert header["code"] == {"commit": manifest["code"]["commit"], "dirty": manifest["code"]["dirty"]}
    assert recorded.git_commit == header["code"]["commit"] + ("+dirty" if header["code"]["dirty"] else "")
    assert (header["live"], header["rule_sha256"]) == (True, recorded.rule_sha256)
    assert (answer["detail_from"], answer["warehouse"]["state"]) == ("warehouse", "holds_release")
    for shown in (header["release_id"], header["dagster_run_id"], header["manifest_sha256"], "詳細の出所"):
        assert shown in text.stdout
    assert all(i["sha256"] in text.stdout for i in header["inputs"])
    assert header["code"]["commit"] in text.stdout


def _listed(rows: list[dict]) -> list[tuple]:
    return [
        (r["direction"], r["counterparty"], r["amount_jpy"], r["source_file"], r["row_number"]) for r in rows
    ]


def test_all_transactions_with_their_file_lines(ask, hand_run):
    with Warehouse(path=str(hand_run.paths.duckdb_path)).connect() as con:
        okinawa = explain(con, cn(7), FISCAL_YEAR, all_transactions=True)
        exporter = explain(con, cn(1), FISCAL_YEAR, all_transactions=True)
    sales, purchases = "out_of_prefecture_sale", "in_prefecture_purchase"
    csv = f"{YEAR}/transactions.csv"
    # Lines 13-18: 7's six sales to other prefectures; line 19: its purchase in Okinawa; line 20
    # (from Osaka) does not count, nor line 21 (quarantined).
    assert _listed(okinawa["all_transactions"]) == [
        (sales, cn(2), 110, csv, 13),
        (sales, cn(3), 120, csv, 14),
        (sales, cn(4), 130, csv, 15),
        (sales, cn(5), 140, csv, 16),
        (sales, cn(6), 150, csv, 17),
        (sales, cn(10), 160, csv, 18),
        (purchases, cn(8), 170, csv, 19),
    ]
    assert len(okinawa["largest_out_of_prefecture_sales"]) == 5  # the top 5 leave ¥110 out
    assert (
        okinawa["firm"]["out_of_prefecture_sales_jpy"],
        okinawa["firm"]["in_prefecture_purchases_jpy"],
    ) == (
        810,
        170,
    )
    assert _listed(exporter["all_transactions"]) == [
        (sales, cn(5), 900, csv, 2),
        (sales, cn(6), 800, csv, 3),
        (sales, cn(4), 600, csv, 4),
        (purchases, cn(2), 300, csv, 7),
        (purchases, cn(3), 700, csv, 8),
    ]
    assert not any(r["amount_estimated"] for r in exporter["all_transactions"])
    assert "all_transactions" not in ask(cn(1))
    text = cli(hand_run.paths, "explain", cn(7), "--all-transactions")
    assert text.returncode == 0, text.stderr
    assert "6 件、計 ¥810 + 輸出 ¥0 = ¥810" in text.stdout and "1 件、計 ¥170" in text.stdout
    assert f"¥110  [{csv} 行 13]" in text.stdout and f"¥170  [{csv} 行 19]" in text.stdout
    assert "行 20]" not in text.stdout


@pytest.mark.parametrize(("n", "size_class"), [(1, "中小企業者"), (2, "大企業"), (7, "中小企業者")])
def test_size_class_and_meets_size_class(ask, n, size_class):
    answer = ask(cn(n))
    # 100 employees ≤ 300 (manufacturing's limit) makes 中小企業者; 2 has 3,000 and ¥5bn capital.
    assert (answer["firm"]["size_class"], answer["firm"]["meets_size_class"]) == (size_class, True)
    assert f"size_class {size_class} 除外区分 なし: meets_size_class → 合格 PASS" in render_text(answer)


@pytest.mark.parametrize("text", [INVALID_FIRM_NUMBER, "1234567890123", " 1234567890123 "])
def test_quarantined_firm_row_found_by_its_raw_text(ask, text):
    for year in (FISCAL_YEAR, None):
        answer = ask(text, year)
        assert (answer["status"], answer["fiscal_year"], answer["quarantined_transactions"]) == (
            "quarantined",
            FISCAL_YEAR,
            [],
        )
        [row] = answer["quarantine"]
        assert (row["source_file"], row["row_number"], row["reason"]) == (
            f"{YEAR}/firms.csv",
            12,
            "invalid_corporate_number",
        )
        assert json.loads(row["raw"])["corporate_number"] == INVALID_FIRM_NUMBER


def test_quarantined_transaction_found_by_its_raw_text(ask, hand_run):
    answer = ask(SPREADSHEET_NUMBER, None)
    assert (answer["status"], answer["quarantine"]) == ("quarantined", [])
    [row] = answer["quarantined_transactions"]
    assert (row["source_file"], row["row_number"], row["reason"], row["columns"]) == (
        f"{YEAR}/transactions.csv",
        21,
        "invalid_corporate_number",
        ["supplier_corporate_number"],
    )
    # The firm it names as customer shows it among its quarantined rows, with 9's sale (line 12).
    assert [q["row_number"] for q in ask(cn(1))["quarantined_transactions"]] == [12, 21]
    text = cli(hand_run.paths, "explain", SPREADSHEET_NUMBER)
    assert text.returncode == 0, text.stderr
    assert f"{YEAR}/transactions.csv 行 21: invalid_corporate_number" in text.stdout


# A second history: two publications under different rules, then a blocked run. ---------------

HISTORY_FIRMS = [
    firm(1, "13", name=NAME, export_sales_jpy=400),
    firm(2, "13", employees=3000, capital_jpy=5_000_000_000),  # 大企業
    firm(3, "13", sales=999_999_999),
    firm(4, "27"),
    firm(5, "27"),
    firm(6, "01"),
]
HISTORY_SALES = [
    sale(1, 5, 900),
    sale(1, 6, 800),
    sale(1, 4, 600),
    sale(2, 4, 200),
    sale(3, 5, 100),
    sale(2, 1, 300),
    sale(3, 1, 700),
    sale(2, 3, 50),
    sale(4, 5, 500),
    sale(4, 2, 1000),
]
WITHOUT_LARGE_FIRMS = {"excluded_size_classes": ["大企業"]}


def rerun_stale(pipeline: Pipeline, rule: dict) -> dg.ExecuteInProcessResult:
    """Record a new rule and recompute only what it makes stale, as `python -m pipeline run` does
    (a rule change: the selection and the publication; half a full run's time)."""
    year_rule = pipeline.set_rule(rule=rule)
    plan = plan_refresh(pipeline.paths, YEAR, year_rule)
    job = build_definitions(pipeline.paths).resolve_job_def(JOB_NAME)
    return job.execute_in_process(
        partition_key=YEAR,
        instance=pipeline.instance,
        asset_selection=selection_of(plan),
        run_config=run_config(log_level="WARNING"),
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """The hand graph without firm 9 (Tokyo: out 3,000, in 1,050 as above), published under the
    default rule (OLD: 2 is a candidate) and then excluding 大企業 (NEW, live: 2 is not). Then a
    firm in prefecture '99' (1 row of 7 quarantined, over the 1% tolerance) and 3 selling ¥3,000
    to 4: that run is blocked, and leaves the warehouse holding Tokyo's out total at 6,000."""
    pipeline = Pipeline(tmp_path_factory.mktemp("explain-history"))
    pipeline.write(HISTORY_FIRMS, HISTORY_SALES)
    first = pipeline.run()
    assert first.success, first.failure
    old = live_release(pipeline.paths.marts_dir, FISCAL_YEAR)
    second = rerun_stale(pipeline, WITHOUT_LARGE_FIRMS)
    assert second.success, failure_reason(second)
    new = live_release(pipeline.paths.marts_dir, FISCAL_YEAR)
    assert new != old
    pipeline.write([*HISTORY_FIRMS, firm(9, "99")], [*HISTORY_SALES, sale(3, 4, 3000)])
    blocked = pipeline.run(rule=WITHOUT_LARGE_FIRMS)
    assert not blocked.success and "quarantine_within_tolerance" in blocked.failure
    assert live_release(pipeline.paths.marts_dir, FISCAL_YEAR) == new
    return pipeline.paths, old, new, blocked


def test_older_release_explains_its_own_rule(history):
    paths, old, new, _ = history
    then = explain_release(paths, cn(2), release_id=old)
    now = explain_release(paths, cn(2), release_id=new)
    assert (then["release"]["release_id"], then["release"]["live"]) == (old, False)
    assert then["release"]["superseded_at"] == Registry(paths.registry_path).release(new).published_at
    assert (then["status"], then["rule"]["excluded_size_classes"]) == ("candidate", [])
    assert (now["status"], now["rule"]["excluded_size_classes"]) == ("not_candidate", ["大企業"])
    assert (then["firm"]["size_class"], then["firm"]["meets_size_class"]) == ("大企業", True)
    assert (now["firm"]["size_class"], now["firm"]["meets_size_class"]) == ("大企業", False)
    for answer, release in ((then, old), (now, new)):
        assert answer["detail_from"] == "release_files"
        assert_firm_is_published_row(answer, published_row(paths, release, cn(2)))
        assert answer["firm"]["connector_degree"] == pytest.approx(200 / 3000, abs=1e-15)
    assert "size_class 大企業 除外区分 大企業: meets_size_class → 不合格 FAIL" in render_text(now)


def test_after_a_blocked_run_the_live_release_is_explained(history):
    paths, _, new, blocked = history
    answer = explain_release(paths, cn(1), all_transactions=True)
    assert (answer["release"]["release_id"], answer["release"]["live"]) == (new, True)
    assert (answer["detail_from"], answer["warehouse"]["state"]) == ("release_files", "other_state")
    assert_firm_is_published_row(answer, published_row(paths, new, cn(1)))
    assert answer["firm"]["connector_degree"] == pytest.approx(2700 / 3000, abs=1e-15)
    assert answer["firm"]["hub_degree"] == pytest.approx(1000 / 1050, abs=1e-15)
    # Under NEW only 1 is a candidate in Tokyo: 2 is a 大企業, 3 fails the sales test.
    p = answer["prefecture"]
    assert (p["out_of_prefecture_sales_jpy"], p["in_prefecture_purchases_jpy"], p["candidates"]) == (
        3000,
        1050,
        1,
    )
    assert answer["all_transactions"] is None and answer["largest_in_prefecture_purchases"] is None
    # What reading the warehouse would have said: the blocked run's 2,700 / 6,000.
    [(held,)] = blocked.query(
        "select connector_degree from candidate_selection where fiscal_year = ? and corporate_number = ?",
        [FISCAL_YEAR, cn(1)],
    )
    assert held == pytest.approx(2700 / 6000, abs=1e-15)
    warehouse = answer["warehouse"]
    assert (warehouse["inputs_unchanged"], warehouse["rule_unchanged"]) == (False, True)
    assert (
        "another state" in warehouse["note"] and f"python -m pipeline run --year {YEAR}" in warehouse["note"]
    )


def test_command_line_over_releases(history):
    paths, old, new, _ = history
    live = cli(paths, "explain", cn(1), "--all-transactions")
    assert live.returncode == 0, live.stderr
    assert f"リリース {new}" in live.stdout and "コネクター度 0.900000" in live.stdout
    assert "the warehouse holds another state" in live.stdout and f"run --year {YEAR}" in live.stdout
    assert (
        "--all-transactions は、ウェアハウスがこのリリースの状態を保持しているときだけ使えます" in live.stdout
    )
    older = cli(paths, "explain", cn(2), "--release", old)
    assert older.returncode == 0, older.stderr
    assert f"リリース {old}" in older.stdout and "重点支援企業候補です" in older.stdout
    unknown = cli(paths, "explain", cn(1), "--release", f"{YEAR}-00000000")
    unpublished = cli(paths, "explain", cn(1), "--year", str(FISCAL_YEAR - 1))
    for refused, says in ((unknown, "no release"), (unpublished, "no published release")):
        assert (refused.returncode, refused.stdout) == (2, "")
        assert says in refused.stderr


def test_nothing_published_is_said_rather_than_read_from_a_warehouse(tmp_path):
    paths = paths_under(tmp_path)
    paths.marts_dir.mkdir(parents=True)
    paths.duckdb_path.touch()  # whatever a warehouse holds, only releases are explained
    with pytest.raises(CannotExplain, match="no fiscal year is published"):
        explain_release(paths, cn(1))
    with pytest.raises(CannotExplain, match="no release"):
        explain_release(paths, cn(1), release_id=f"{YEAR}-00000000")
