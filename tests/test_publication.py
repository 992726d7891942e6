"""Publication (contract §5): whole or not at all, deterministic, and readable by Excel in Japan."""

from __future__ import annotations

import csv
import hashlib
import io
import stat
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.runtime.release_folders import (
    BOM,
    live_release,
    new_draft_folder,
    promote,
    release_id,
    switch_to,
)
from pipeline.stages.publication.spreadsheet_safe import FORMULA_TRIGGERS, spreadsheet_safe
from pipeline.warehouse.schema import load_macros
from tests.conftest import YEAR, Pipeline, cn, firm, sale

TRICKY_NAMES = {
    1: '株式会社"引用", 改行\nあり',
    2: '=HYPERLINK("http://example.com")',
    3: "+81 商事",
    4: "-マイナス工業",
    5: "@メンション",
    6: "𠮷野家ホールディングス 🍚",
    7: "＝ＳＵＭ（１，１）",  # full-width triggers, which Excel in Japan also runs
    8: "＋８１商事",
    9: "－全角マイナス工業",
    20: "＠全角メンション",
}
FORMULA_LIKE = (2, 3, 4, 5, 7, 8, 9, 20)


def _inputs(pipeline, extra_bad_rows: int = 0):
    firms = [firm(n, "13", name=name) for n, name in TRICKY_NAMES.items()]
    firms += [firm(n, "27") for n in range(10, 20)]
    transactions = [sale(n, 10, 1_000 * n) for n in TRICKY_NAMES]
    transactions += [sale(10 + i, 1, 500 + i) for i in range(10)]
    transactions += [sale(1, 1, 1)] * extra_bad_rows  # self transactions, quarantined
    pipeline.write(firms, transactions)


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """One whole run over the tricky names, shared; a test that runs again works on a copy."""
    pipeline = Pipeline(tmp_path_factory.mktemp("publication"))
    _inputs(pipeline)
    run = pipeline.run()
    assert run.success, run.failure
    return pipeline, run


def _digests(folder: Path, data_only: bool = False) -> dict[str, str]:
    """sha256 of every file; with data_only, of the data files (not the run's report or manifest)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not (data_only and (p.suffix == ".html" or p.name == "manifest.json"))
    }


def test_csv_is_bom_utf8_and_round_trips_names(good):
    _, run = good
    raw = (run.published / "national_candidates.csv").read_bytes()
    assert raw.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(raw[len(BOM) :].decode("utf-8"), newline="")))
    names = {row["corporate_number"]: row["name"] for row in rows}
    assert names[cn(1)] == TRICKY_NAMES[1]
    assert names[cn(6)] == TRICKY_NAMES[6]
    for n in FORMULA_LIKE:  # formula guard: a leading quote in CSV only
        assert names[cn(n)] == "'" + TRICKY_NAMES[n]
    parquet_names = {r["corporate_number"]: r["name"] for r in run.parquet("national_candidates")}
    assert parquet_names[cn(2)] == TRICKY_NAMES[2]
    assert rows[0]["prefecture_code"] == "13"


def test_the_csv_formula_guard_is_the_one_rule_in_python():
    """The SQL macro and publication/spreadsheet_safe.py agree on every code point, first or not."""
    with duckdb.connect() as con:
        load_macros(con)
        texts = [chr(c) + "x" for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]
        texts += ["", "x=", " =1", "'=1"]
        got = con.execute(
            "select t, spreadsheet_safe(t) from unnest(?) as u(t) order by t", [texts]
        ).fetchall()
        assert con.execute("select spreadsheet_safe(null)").fetchone() == (None,)
    assert len(got) == len(texts)
    assert [safe for text, safe in got] == [spreadsheet_safe(text) for text, _ in got]
    assert sum(safe != text for text, safe in got) == len(FORMULA_TRIGGERS) == 10


def test_every_prefecture_gets_a_list_holding_only_its_firms(good):
    _, run = good
    lists = sorted((run.published / "prefectures").glob("*.csv"))
    assert [p.stem for p in lists] == [f"{code:02d}" for code in range(1, 48)]
    for path in lists:
        text = path.read_bytes()[len(BOM) :].decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert {row["prefecture_code"] for row in rows} <= {path.stem}
    tokyo = (run.published / "prefectures" / "13.csv").read_bytes()
    national = (run.published / "national_candidates.csv").read_bytes()
    assert tokyo.splitlines()[0] == national.splitlines()[0]


def test_same_inputs_and_rule_give_byte_identical_files(good, tmp_path):
    pipeline = good[0].copy(tmp_path)
    first_published = pipeline.paths.marts_dir / YEAR
    before, first_release = _digests(first_published, data_only=True), first_published.resolve()
    second = pipeline.run()
    assert second.success, second.failure
    assert second.published.resolve() != first_release  # a new release folder
    assert _digests(second.published, data_only=True) == before
    assert "national_candidates.parquet" in before


def test_blocked_run_leaves_previous_publication_byte_identical(good, tmp_path):
    pipeline = good[0].copy(tmp_path)
    published = pipeline.paths.marts_dir / YEAR
    before = _digests(published)
    _inputs(pipeline, extra_bad_rows=5)  # 5 of 21 rows quarantined: above 1%
    blocked = pipeline.run()
    assert not blocked.success
    assert "quarantine_within_tolerance" in blocked.failure
    assert "transactions.csv" in blocked.failure
    assert _digests(published) == before


def test_switch_keeps_every_release_and_a_plain_folder_found_in_place(tmp_path):
    marts = tmp_path / "marts"
    (marts / "2025").mkdir(parents=True)
    (marts / "2025" / "old.csv").write_text("old", encoding="utf-8")
    for run_id in ("aaaaaaaa1", "bbbbbbbb2", "cccccccc3"):
        draft = new_draft_folder(marts, 2025, run_id)
        (draft / "national_candidates.csv").write_text(run_id, encoding="utf-8")
        release = promote(marts, draft)
        switch_to(marts, 2025, release)
        assert (marts / "2025" / "national_candidates.csv").read_text(encoding="utf-8") == run_id
        assert live_release(marts, 2025) == release_id(2025, run_id)
        mode = (release / "national_candidates.csv").stat().st_mode
        assert stat.S_IMODE(mode) & 0o222 == 0, "a release's files are read-only"
    assert (marts / "2025").is_symlink()
    kept = sorted(p.name for p in (marts / ".releases").iterdir())
    assert kept[:3] == ["2025-aaaaaaaa", "2025-bbbbbbbb", "2025-cccccccc"]
    assert kept[3].startswith("2025-plain-folder-")
    assert (marts / ".releases" / kept[3] / "old.csv").read_text(encoding="utf-8") == "old"
    assert not list((marts / ".drafts").iterdir()), "each draft became its release"
