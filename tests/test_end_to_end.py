"""The whole pipeline on generated sample data, checked against an independent computation
of the contract's definitions in plain Python, and driven through the real command line."""

from __future__ import annotations

import pytest

from pipeline.reference.contract import (
    CANDIDATE_COLUMNS,
    COMPOSITE_COLUMNS,
    FIRM_DEGREE_COLUMNS,
    IDENTITY_COLUMNS,
    INDICATOR_COLUMNS,
    REGISTER_COLUMNS,
)
from sample_data.generate import write_sample
from tests.conftest import YEAR, Pipeline, cli, paths_under
from tests.independent import firm_key, independent_degrees


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    pipeline = Pipeline(tmp_path_factory.mktemp("sample"))
    write_sample(pipeline.paths.raw_dir, size="tiny", fiscal_year=int(YEAR))
    run = pipeline.run()
    assert run.success, run.failure
    return pipeline, run


def test_published_degrees_match_independent_computation(sample_run):
    pipeline, run = sample_run
    expected = independent_degrees(pipeline.paths.raw_dir / YEAR)
    published = {
        firm_key(row["corporate_number"], row["vendor_code"]): row for row in run.parquet("firm_degrees")
    }
    assert published.keys() == expected.keys()
    assert any(key.startswith("vendor:") for key in published), "the sample has 個人"
    for number, want in expected.items():
        got = published[number]
        assert got["out_of_prefecture_sales_jpy"] == want["out"]
        assert got["in_prefecture_purchases_jpy"] == want["in"]
        for degree in ("connector_degree", "hub_degree"):
            if want[degree] is None:
                assert got[degree] is None
            else:
                assert abs(got[degree] - want[degree]) <= 1e-12
        assert got["is_candidate"] == want["is_candidate"]
    candidates = {
        firm_key(row["corporate_number"], row["vendor_code"]) for row in run.parquet("national_candidates")
    }
    assert candidates == {n for n, want in expected.items() if want["is_candidate"]}
    assert candidates, "the sample should produce candidates"


def test_published_columns_are_the_contracts_in_order_then_the_extension(sample_run):
    _, run = sample_run
    extension = INDICATOR_COLUMNS + COMPOSITE_COLUMNS + IDENTITY_COLUMNS
    for name, contract, after in (
        ("national_candidates", CANDIDATE_COLUMNS, extension),
        ("firm_degrees", FIRM_DEGREE_COLUMNS, extension + REGISTER_COLUMNS),
    ):
        columns = tuple(run.parquet(name)[0])
        assert columns[: len(contract)] == contract, name
        assert columns[len(contract) :] == after, name


def test_published_rows_are_sorted_as_the_contract_says(sample_run):
    _, run = sample_run
    rows = run.parquet("firm_degrees")

    def key(row):
        degrees = [d for d in (row["connector_degree"], row["hub_degree"]) if d is not None]
        who = firm_key(row["corporate_number"], row["vendor_code"])  # a 個人 after the numbers on a tie
        return (row["prefecture_code"], -max(degrees) if degrees else float("inf"), who)

    assert rows == sorted(rows, key=key)
    candidates = run.parquet("national_candidates")
    assert len(candidates) > 1
    assert candidates == sorted(candidates, key=key)


def test_command_line_runs_and_records_in_the_dagster_instance(tmp_path):
    written = cli(paths_under(tmp_path), "sample", "--size", "tiny")
    assert written.returncode == 0, written.stderr
    ran = cli(paths_under(tmp_path), "run")
    assert ran.returncode == 0, ran.stderr
    for stage in ("firms", "staged_firms", "firm_degrees", "candidates", "published"):
        assert f"[{YEAR}] {stage}" in ran.stdout
    assert str(tmp_path / "marts" / YEAR / "national_candidates.csv") in ran.stdout
    assert (tmp_path / "marts" / YEAR / "national_candidates.csv").is_file()
    assert any((tmp_path / "dagster").rglob("*.db")), "runs are recorded in DAGSTER_HOME"


def test_command_line_fails_with_one_line_reason(tmp_path):
    folder = tmp_path / "raw" / YEAR
    folder.mkdir(parents=True)
    (folder / "firms.csv").write_text("corporate_number,name\n1180301018771,x\n", encoding="utf-8")
    (folder / "transactions.csv").write_text("a\n", encoding="utf-8")
    ran = cli(paths_under(tmp_path), "run")
    assert ran.returncode == 1
    message = ran.stderr.strip().splitlines()[-1]
    assert "firms.csv" in message
    assert "missing required column" in message
    assert "prefecture_code" in message
