"""The 国税庁 corporate register: its files, its reading, its suite and the reconciliation."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline.cli import run_config
from pipeline.definitions import JOB_NAME, REGISTER_JOB_NAME, build_definitions
from pipeline.quality.gx_duckdb import validate
from pipeline.registry.rule import YearRule
from pipeline.registry.store import Registry
from pipeline.runtime.partitions import fiscal_year_partitions
from pipeline.stages.register.checks import QUERY, register_expectations
from pipeline.stages.register.files import RegisterError, locate_register
from pipeline.stages.register.layout import COLUMNS
from pipeline.stages.register.load import load_register
from pipeline.warehouse.connection import load_macros
from pipeline.warehouse.schema import ensure_tables
from sample_data.generate import write_sample
from sample_data.register import CASES, SUCCESSOR, write_register_sample
from tests.conftest import paths_under

YEAR = "2025"


def _rows(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


@pytest.fixture(scope="module")
def register_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("houjin")
    write_register_sample(folder)
    return folder


def _loaded(folder: Path, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_tables(con)
    load_macros(con)
    load_register(con, locate_register(folder), tmp_path / "work")
    return con


def test_sample_is_headerless_30_columns_in_both_encodings(register_folder):
    tokyo = zipfile.ZipFile(register_folder / "13_tokyo_all_20260331.zip")
    kanagawa = zipfile.ZipFile(register_folder / "14_kanagawa_all_20260331.zip")
    (tokyo_csv,) = tokyo.namelist()
    tokyo_bytes, kanagawa_bytes = tokyo.read(tokyo_csv), kanagawa.read(kanagawa.namelist()[0])
    with pytest.raises(UnicodeDecodeError):
        tokyo_bytes.decode("utf-8")  # odd codes are Shift_JIS
    for rows in (_rows(tokyo_bytes, "cp932"), _rows(kanagawa_bytes, "utf-8")):
        assert {len(r) for r in rows} == {30}
        assert rows[0][0] == "1" and rows[0][1].isdigit()  # data from the first line: no header
    names = {r[1]: r[6] for r in _rows(tokyo_bytes, "cp932")}
    assert names["7000012050002"] == "国税庁" and names["4000012090001"] == "経済産業省"
    aichi = zipfile.ZipFile(register_folder / "23_aichi_all_20260331.zip")
    assert any(r[1] == "1180301018771" for r in _rows(aichi.read(aichi.namelist()[0]), "cp932"))
    assert len(COLUMNS) == 30


def test_both_encodings_zips_and_plain_csvs_are_read(register_folder, tmp_path):
    folder = tmp_path / "houjin"
    shutil.copytree(register_folder, folder)
    # A plain UTF-8 全件 CSV instead of its zip: read where it lies.
    archive = folder / "14_kanagawa_all_20260331.zip"
    data = zipfile.ZipFile(archive).read("14_kanagawa_all_20260331.csv")
    archive.unlink()
    (folder / "14_kanagawa_all_20260331.csv").write_bytes(data)
    files = locate_register(folder)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_tables(con)
    load_macros(con)
    loaded = load_register(con, files, tmp_path / "work")
    by_file = {f["file"]: f for f in loaded.files}
    assert by_file["13_tokyo_all_20260331.zip"]["encoding"] == "Shift_JIS (CP932)"
    assert by_file["14_kanagawa_all_20260331.csv"]["encoding"] == "Unicode (UTF-8)"
    assert by_file["diff_20260402.csv"]["encoding"] == "Shift_JIS (CP932)"
    assert by_file["14_kanagawa_all_20260331.csv"]["rows"] == len(_rows(data, "utf-8"))
    names = dict(con.execute("select corporate_number, name from corporate_register").fetchall())
    assert names["7000012050002"] == "国税庁" and names["1180301018771"] == "トヨタ自動車株式会社"


def test_differences_apply_in_date_order_and_99_deletes(register_folder, tmp_path):
    con = _loaded(register_folder, tmp_path)
    firms = _tiny_firm_numbers(tmp_path)
    state = {
        n: (p, c, s)
        for n, p, c, s in con.execute(
            "select corporate_number, prefecture_code, close_cause, successor_corporate_number "
            "from corporate_register"
        ).fetchall()
    }
    home = _tiny_firm_prefectures(tmp_path)
    back = firms[CASES["moved_back"]]
    assert state[back][0] == home[back]  # moved on 1 April, back on 2 April: in place if applied in order
    assert firms[CASES["deleted"]] not in state
    assert con.execute("select corporate_number from register_deletions").fetchall() == [
        (firms[CASES["deleted"]],)
    ]
    assert state[firms[CASES["merged"]]][1:] == ("11", firms[SUCCESSOR])
    # Every applied row kept: 299 firms and 3 real numbers in the 全件 data, 3 + 2 difference rows.
    assert con.execute("select count(*) from register_rows").fetchone()[0] == 299 + 3 + 3 + 2


def test_every_malformed_line_is_reported_and_nothing_loaded(register_folder, tmp_path):
    folder = tmp_path / "houjin"
    shutil.copytree(register_folder, folder)
    good = (folder / "diff_20260402.csv").read_bytes().decode("cp932").splitlines()
    bad = [good[0].rsplit(",", 1)[0], good[1] + ",extra"]  # 29 columns, then 31
    (folder / "diff_20260402.csv").write_bytes(("\r\n".join(bad) + "\r\n").encode("cp932"))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_tables(con)
    load_macros(con)
    with pytest.raises(RegisterError) as error:
        load_register(con, locate_register(folder), tmp_path / "work")
    lines = str(error.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("diff_20260402.csv: line 1: MISSING COLUMNS")
    assert lines[1].startswith("diff_20260402.csv: line 2: TOO MANY COLUMNS")
    assert con.execute("select count(*) from register_rows").fetchone()[0] == 0


def test_misnamed_files_are_all_named_at_once(tmp_path):
    (tmp_path / "13_tokyo_all_20260331.zip").write_bytes(b"x")
    (tmp_path / "13_tokyo_all_20260228.zip").write_bytes(b"x")
    (tmp_path / "houjin.zip").write_bytes(b"x")
    (tmp_path / "notes.txt").write_bytes(b"x")
    with pytest.raises(RegisterError) as error:
        locate_register(tmp_path)
    lines = str(error.value).splitlines()
    assert len(lines) == 3
    assert any("houjin.zip: not named as the NTA" in line for line in lines)
    assert any("notes.txt: not a register file" in line for line in lines)
    assert any("全件 files of several dates (2026-02-28, 2026-03-31)" in line for line in lines)


def test_suite_fails_on_a_bad_register(register_folder, tmp_path):
    folder = tmp_path / "houjin"
    shutil.copytree(register_folder, folder)
    rows = _rows((folder / "diff_20260402.csv").read_bytes(), "cp932")
    rows[0][1] = rows[0][1][:-1] + str((int(rows[0][1][-1]) + 1) % 10)  # a wrong check digit
    rows[1][2] = "98"  # not a 処理区分
    rows.append(list(rows[1]))  # the same number's latest row twice in one file
    rows[2][2] = "12"
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    (folder / "diff_20260402.csv").write_bytes(text.getvalue().encode("cp932"))
    con = _loaded(folder, tmp_path)
    con.close()
    outcome = validate(tmp_path / "w.duckdb", "corporate_register", QUERY, register_expectations())
    failed = {o.expectation: o for o in outcome.failures}
    assert not outcome.success
    assert (
        set(failed)
        == {
            "expect_column_values_to_be_in_set",
            "unexpected_rows_expectation",
        }
        and len(outcome.failures) == 3
    )
    in_set = [o for o in outcome.failures if o.expectation == "expect_column_values_to_be_in_set"]
    assert sorted(o.arguments["column"] for o in in_set) == ["number_valid", "process"]
    assert all(o.unexpected_count == 1 for o in in_set)


def test_suite_passes_on_the_sample(register_folder, tmp_path):
    _loaded(register_folder, tmp_path).close()
    outcome = validate(tmp_path / "w.duckdb", "corporate_register", QUERY, register_expectations())
    assert outcome.success and len(outcome.outcomes) == 6


def _tiny(tmp_path: Path) -> list[dict]:
    import pyarrow.parquet as pq

    write_sample(tmp_path / "tiny", size="tiny", fmt="parquet")
    return pq.read_table(tmp_path / "tiny" / YEAR / "firms.parquet").to_pylist()


def _tiny_firm_numbers(tmp_path: Path) -> list[str]:
    return [f["corporate_number"] for f in _tiny(tmp_path)]


def _tiny_firm_prefectures(tmp_path: Path) -> dict[str, str]:
    return {f["corporate_number"]: f["prefecture_code"] for f in _tiny(tmp_path)}


def _run_year(paths, instance, register: bool):
    Registry(paths.registry_path).change_rule(int(YEAR), YearRule(), "test")
    instance.add_dynamic_partitions(fiscal_year_partitions.name, [YEAR])
    definitions = build_definitions(paths)
    if register:
        loaded = definitions.resolve_job_def(REGISTER_JOB_NAME).execute_in_process(
            instance=instance, run_config=run_config("WARNING"), raise_on_error=False
        )
        assert loaded.success
    return definitions.resolve_job_def(JOB_NAME).execute_in_process(
        partition_key=YEAR, instance=instance, run_config=run_config("WARNING"), raise_on_error=False
    )


def test_reconciliation_of_the_tiny_sample(register_folder, tmp_path):
    paths = paths_under(tmp_path)
    paths = type(paths)(**{**paths.__dict__, "houjin_dir": register_folder})
    write_sample(paths.raw_dir, size="tiny")
    result = _run_year(paths, dg.DagsterInstance.ephemeral(), register=True)
    assert result.success
    release = paths.marts_dir / YEAR
    with duckdb.connect() as con:
        matches = con.execute(
            "select * from read_parquet(?) order by corporate_number",
            [str(release / "register_reconciliation.parquet")],
        ).fetchdf()
    firms = _tiny_firm_numbers(tmp_path)
    by_number = matches.set_index("corporate_number")
    # Worked out from the sample's cases: 300 firms, one never in the register, one deleted by 99.
    assert len(matches) == 300
    assert int(matches["found"].sum()) == 298
    assert set(matches.loc[~matches["found"], "register_status"]) == {"not_found", "deleted"}
    # Closed before 31 March 2026: the 2025-09-30 closure and the 2026-03-01 merger; the
    # 2026-04-01 closure is after the fiscal year's end.
    closed = set(matches.loc[matches["closed_before_year_end"], "corporate_number"])
    assert closed == {firms[CASES["closed"]], firms[CASES["merged"]]}
    assert by_number.loc[firms[CASES["closed_after_year"]], "register_status"] == "closed"
    merged = matches.loc[matches["merged"]]
    assert list(merged["corporate_number"]) == [firms[CASES["merged"]]]
    assert list(merged["successor_corporate_number"]) == [firms[SUCCESSOR]]
    assert list(merged["close_cause_name"]) == ["合併による解散等"]
    assert set(matches.loc[matches["prefecture_differs"], "corporate_number"]) == {firms[CASES["moved"]]}
    assert set(matches.loc[matches["name_differs"], "corporate_number"]) == {firms[CASES["renamed"]]}
    csv_bytes = (release / "register_reconciliation.csv").read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    assert len(list((release / "register").glob("*.csv"))) == 47
    assert (release / "register" / "13.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_no_register_runs_as_before(tmp_path):
    paths = paths_under(tmp_path)  # no HOUJIN_DIR
    write_sample(paths.raw_dir, size="tiny")
    result = _run_year(paths, dg.DagsterInstance.ephemeral(), register=False)
    assert result.success
    assert not (paths.marts_dir / YEAR / "register_reconciliation.parquet").exists()
    (event,) = [
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey("firm_register_matches")
    ]
    assert event.materialization.metadata["register"].value == "no register"
