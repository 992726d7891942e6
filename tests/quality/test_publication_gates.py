"""Gates stop a bad publication; warnings do not; a run killed mid-write harms nothing."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.runtime.release_folders import DRAFTS
from pipeline.settings import PROJECT_ROOT
from sample_data.generate import write_sample
from tests.conftest import YEAR, Pipeline, PipelineRun, cli_env, cn, firm, paths_under, sale


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _network(conflicting_pairs: int = 0) -> tuple[list[dict], list[dict]]:
    """100 firms in two prefectures and 200 transactions; `conflicting_pairs` pairs get a second,
    different amount, so 2 rows per pair are quarantined as conflicting_pair."""
    firms = [firm(n, "13" if n <= 50 else "27") for n in range(1, 101)]
    transactions = [sale(n, (n % 100) + 1, 1_000 + n) for n in range(1, 101)]
    transactions += [sale(n, ((n + 6) % 100) + 1, 2_000 + n) for n in range(1, 101)]
    transactions += [sale(n, (n % 100) + 1, 9_999) for n in range(1, conflicting_pairs + 1)]
    return firms, transactions


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> tuple[Pipeline, PipelineRun]:
    """The network published by one whole run, shared; a test that runs again works on a copy."""
    pipeline = Pipeline(tmp_path_factory.mktemp("gates"))
    pipeline.write(*_network())
    run = pipeline.run()
    assert run.success, run.failure
    return pipeline, run


def test_two_percent_conflicting_pairs_block_publication(good, tmp_path: Path):
    pipeline = good[0].copy(tmp_path)
    published = pipeline.paths.marts_dir / YEAR
    before = _digests(published)

    pipeline.write(*_network(conflicting_pairs=2))  # 4 of 202 rows ≈ 2%
    blocked = pipeline.run()
    assert not blocked.success
    assert "check quarantine_within_tolerance on quarantined_transactions failed" in blocked.failure
    assert (
        f"{YEAR}/transactions.csv: 6.66% of yen and 1.98% of rows (4 of 202) quarantined" in blocked.failure
    )
    assert _digests(published) == before
    reasons = blocked.query(
        "select reason, count(*) from quarantined_transactions where fiscal_year = ? group by reason",
        [int(YEAR)],
    )
    assert reasons == [("conflicting_pair", 4)]
    materialized = {e.asset_key.to_user_string() for e in blocked.result.get_asset_materialization_events()}
    assert "candidate_selection" in materialized
    assert "publication_draft" not in materialized and "published_lists" not in materialized


def test_blocked_run_writes_a_report_naming_the_failed_gate(pipeline: Pipeline):
    pipeline.write(*_network(conflicting_pairs=2))
    blocked = pipeline.run()
    assert not blocked.success
    reports = list((blocked.paths.marts_dir / "reports" / YEAR).glob("validation-*.html"))
    assert len(reports) == 1
    page = reports[0].read_text(encoding="utf-8")
    assert "公表を停止しました" in page
    assert "quarantine_within_tolerance" in page
    assert "1.98% of rows (4 of 202) quarantined" in page


def test_published_report_lists_every_gate_as_passed(good):
    _, run = good
    page = (run.published / "validation_report.html").read_text(encoding="utf-8")
    assert "ブロッキング検査はすべて合格" in page
    for gate in ("rows_reconcile", "degrees_sum_to_one", "candidates_meet_rule", "gx_staged_transactions"):
        assert gate in page


def test_warnings_do_not_block(pipeline: Pipeline):
    firms, transactions = _network()
    firms.append(firm(200, "13", sales=1_000))  # sells far more out of the prefecture than it reports
    transactions.append(sale(200, 60, 50_000))
    pipeline.write(firms, transactions)
    run = pipeline.run()
    assert run.success, run.failure
    warnings = {
        e.check_name: e
        for e in run.result.get_asset_check_evaluations()
        if e.severity.value == "WARN" and not e.passed
    }
    assert set(warnings) == {"out_of_prefecture_sales_above_sales", "prefectures_without_candidates"}
    examples = warnings["out_of_prefecture_sales_above_sales"].metadata["examples"].value
    assert examples[0]["firm_id"] == cn(200)  # its 法人番号 (a 個人 would show vendor:<code>)


def _cli(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", *args],
        cwd=PROJECT_ROOT,
        env=cli_env(paths_under(root)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _kill_when_drafting(process: subprocess.Popen, releases: Path, published: Path) -> Path:
    """SIGKILL the run as soon as its draft folder appears; returns that folder."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        drafts = [p for p in releases.glob(f"{YEAR}-*") if p.resolve() != published.resolve()]
        if drafts:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return drafts[0]
        if process.poll() is not None:
            raise AssertionError("the run ended before it began to publish")
        time.sleep(0.002)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("the run never began to publish")


def test_sigkill_mid_publication_leaves_previous_publication_intact(tmp_path: Path):
    write_sample(tmp_path / "raw", size="tiny", fiscal_year=int(YEAR))
    first = _cli(tmp_path)
    assert first.wait(timeout=300) == 0
    published = tmp_path / "marts" / YEAR
    before = _digests(published)
    release_before = published.resolve()

    killed = _cli(tmp_path, "--min-employees", "50")  # a different rule: different lists
    draft = _kill_when_drafting(killed, tmp_path / "marts" / DRAFTS, published)
    assert not (draft / "rule.json").exists(), "killed while writing, before the last file"
    assert published.resolve() == release_before
    assert _digests(published) == before

    replacing = _cli(tmp_path, "--min-employees", "50")
    assert replacing.wait(timeout=300) == 0
    after = _digests(published)
    assert published.resolve() != release_before
    assert after.keys() == before.keys()
    assert after["national_candidates.parquet"] != before["national_candidates.parquet"]
    assert '"min_employees": 50' in (published / "rule.json").read_text(encoding="utf-8")
    assert not draft.exists(), "the killed run's partial draft is cleaned up"
    assert release_before.exists(), "the release before is kept for a look back"
