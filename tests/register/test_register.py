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
from pipeline.commands.explain import render_text
from pipeline.commands.explain_release import explain_release
from pipeline.definitions import JOB_NAME, REGISTER_JOB_NAME, build_definitions
from pipeline.quality.gx_duckdb import validate
from pipeline.reference.prefectures import PREFECTURE_NAMES
from pipeline.registry.rule import YearRule
from pipeline.registry.store import Registry
from pipeline.runtime.partitions import fiscal_year_partitions
from pipeline.stages.register.checks import QUERY, register_expectations
from pipeline.stages.register.files import RegisterError, locate_register
from pipeline.stages.register.layout import COLUMNS
from pipeline.stages.register.load import load_register
from pipeline.warehouse.schema import ensure_tables, load_macros
from sample_data.generate import write_sample
from sample_data.register import CASES, SUCCESSOR, write_register_sample
from tests.conftest import edit_csv, paths_under

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
    # Every applied row kept: the sample's 法人 less one and 3 real numbers in the 全件 data, 3 + 2
    # difference rows.
    assert con.execute("select count(*) from register_rows").fetchone()[0] == len(firms) - 1 + 3 + 3 + 2


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
    """The 法人 of the tiny sample (a 個人 has no number), as the register sample indexes them."""
    return [f["corporate_number"] for f in _tiny(tmp_path) if f["corporate_number"] is not None]


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
    # Worked out from the sample's cases: every 法人 (a 個人 has no number and no row), one
    # never in the register, one deleted by 99.
    assert len(matches) == len(firms) == sum(f["legal_form"] == "法人" for f in _tiny(tmp_path))
    assert int(matches["found"].sum()) == len(firms) - 2
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
    # explain shows the register's row beside the firm's.
    closed_firm = render_text(explain_release(paths, firms[CASES["closed"]]))
    assert (
        "国税庁 法人番号公表サイト（全件 2026-03-31 + 差分 2026-04-02 時点）: "
        "閉鎖（closed） 2025-09-30（清算の結了等）、年度末より前"
    ) in closed_firm
    merged_firm = explain_release(paths, firms[CASES["merged"]])
    assert merged_firm["register"]["successor_corporate_number"] == firms[SUCCESSOR]
    assert "（データ提供元と相違）" in render_text(explain_release(paths, firms[CASES["moved"]]))
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


def _rewrite_zip(path: Path, data: bytes) -> None:
    member = zipfile.ZipFile(path).namelist()[0]
    path.unlink()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)


def _load_error(folder: Path, tmp_path: Path) -> tuple[list[str], duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_macros(con)
    with pytest.raises(RegisterError) as error:
        load_register(con, locate_register(folder), tmp_path / "work")
    return str(error.value).splitlines(), con


def test_undecodable_bytes_are_reported_by_line_with_the_other_faults(register_folder, tmp_path):
    folder = tmp_path / "houjin"
    shutil.copytree(register_folder, folder)
    # Shift_JIS: line 2 holds a lead byte without its second byte; line 1 lacks a column.
    lines = (folder / "diff_20260402.csv").read_bytes().split(b"\r\n")
    lines[0] = lines[0].rsplit(b",", 1)[0]
    lines[1] = lines[1].replace(b",99,", b",9\x81,")
    (folder / "diff_20260402.csv").write_bytes(b"\r\n".join(lines))
    # UTF-8: line 3 holds a byte that is not UTF-8 in a column the register does not keep
    # (furigana, the 29th), which DuckDB alone would not look at.
    kanagawa = folder / "14_kanagawa_all_20260331.zip"
    rows = zipfile.ZipFile(kanagawa).read("14_kanagawa_all_20260331.csv").split(b"\r\n")
    cells = rows[2].split(b",")
    cells[28] = b'"\xe3\x81"'
    rows[2] = b",".join(cells)
    _rewrite_zip(kanagawa, b"\r\n".join(rows))
    lines, con = _load_error(folder, tmp_path)
    assert lines == [
        "14_kanagawa_all_20260331.zip: line 3: INVALID ENCODING: a byte that is not UTF-8",
        *lines[1:2],
        "diff_20260402.csv: line 2: INVALID ENCODING: a byte that is not Shift_JIS (CP932)",
    ]
    assert lines[1].startswith("diff_20260402.csv: line 1: MISSING COLUMNS")
    assert con.execute("select count(*) from register_rows").fetchone()[0] == 0


def test_a_file_that_changes_encoding_is_reported_line_by_line(register_folder, tmp_path, monkeypatch):
    """The encoding is judged on the first chunk that is not ASCII; Shift_JIS lines further on
    in a UTF-8 file are that file's faults, each by line (not a whole file read as CP932)."""
    from pipeline.stages.register import reading

    monkeypatch.setattr(reading, "CHUNK_BYTES", 512)
    folder = tmp_path / "houjin"
    shutil.copytree(register_folder, folder)
    kanagawa = folder / "14_kanagawa_all_20260331.zip"
    text = zipfile.ZipFile(kanagawa).read("14_kanagawa_all_20260331.csv").decode("utf-8")
    rows = text.split("\r\n")
    assert len(rows) > 6
    mixed = "\r\n".join(rows[:3]).encode("utf-8") + b"\r\n" + "\r\n".join(rows[3:]).encode("cp932")
    _rewrite_zip(kanagawa, mixed)
    lines, _ = _load_error(folder, tmp_path)
    bad = [line for line in lines if line.startswith("14_kanagawa")]
    assert bad[0] == "14_kanagawa_all_20260331.zip: line 4: INVALID ENCODING: a byte that is not UTF-8"
    assert {int(line.split(": line ")[1].split(":")[0]) for line in bad} == set(range(4, len(rows)))


def test_blank_lines_are_reported(register_folder, tmp_path):
    folder = tmp_path / "houjin"
    shutil.copytree(register_folder, folder)
    diff = folder / "diff_20260402.csv"
    first, second = diff.read_bytes().split(b"\r\n")[:2]
    diff.write_bytes(first + b"\r\n\r\n" + second + b"\r\n")
    lines, con = _load_error(folder, tmp_path)
    assert lines == ["diff_20260402.csv: line 2: BLANK LINE: no columns"]
    assert con.execute("select count(*) from register_rows").fetchone()[0] == 0


def test_every_row_read_is_applied_at_its_line(register_folder, tmp_path):
    con = _loaded(register_folder, tmp_path)
    by_file = {}
    for path in register_folder.iterdir():
        data = (
            zipfile.ZipFile(path).read(zipfile.ZipFile(path).namelist()[0]) if path.suffix == ".zip" else None
        )
        data = path.read_bytes() if data is None else data
        encoding = (
            "cp932"
            if (path.name[:2].isdigit() and int(path.name[:2]) % 2) or path.suffix == ".csv"
            else "utf-8"
        )
        by_file[path.name] = [r[0] for r in _rows(data, encoding)]  # the sequence numbers, by line
    applied = con.execute(
        "select source_file, line, sequence_number from register_rows order by source_file, line"
    ).fetchall()
    assert len(applied) == sum(len(v) for v in by_file.values())
    assert all(by_file[name][line - 1] == sequence for name, line, sequence in applied)
    files = con.execute("select source_file, rows from register_files").fetchall()
    assert {name: rows for name, rows in files} == {k: len(v) for k, v in by_file.items()}


def test_the_suites_check_digit_is_the_macros(tmp_path):
    """register_rows computes number_valid itself (a view cannot call a connection's macro)."""
    import random

    from pipeline.stages.register.load import ensure_register_tables

    rng = random.Random(19)
    numbers = [str(rng.randrange(10**12, 10**13)) for _ in range(3000)]
    numbers += ["7000012050002", "4000012090001", "1180301018771", "700001205000", "70000120500021"]
    numbers += ["７000012050002", "7000012O50002", " 700001205000", "", "abcdefghijklm"]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_macros(con)
    ensure_register_tables(con)
    con.execute("insert into register_files values (0, 'f.csv', 'all', date '2026-03-31', 0, 0)")
    con.execute(
        "insert into register_entries (apply_order, row_number, corporate_number) "
        "select 0, generate_subscripts(?::varchar[], 1), unnest(?::varchar[])",
        [numbers, numbers],
    )
    con.execute("insert into register_entries (apply_order, row_number) values (0, 0)")  # no number
    differing = con.execute(
        "select corporate_number, number_valid, is_corporate_number(corporate_number) from register_rows "
        "where number_valid is distinct from coalesce(is_corporate_number(corporate_number), false)"
    ).fetchall()
    assert differing == []
    assert con.execute("select count(*) filter (where number_valid) from register_rows").fetchone()[0] > 300


def test_without_iconv_pythons_codec_reads_the_same(register_folder, tmp_path, monkeypatch):
    from pipeline.stages.register import reading

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with_iconv = (
        _loaded(register_folder, tmp_path / "a")
        .execute("select * from corporate_register order by corporate_number")
        .fetchall()
    )
    monkeypatch.setattr(reading.shutil, "which", lambda name: None)
    without = (
        _loaded(register_folder, tmp_path / "b")
        .execute("select * from corporate_register order by corporate_number")
        .fetchall()
    )
    registered = len(_tiny_firm_numbers(tmp_path)) - 1 + 3  # the 法人 less one, the real numbers
    assert without == with_iconv and len(without) == registered - 1  # one deleted by 99


def test_a_number_in_two_files_is_the_later_files(register_folder, tmp_path):
    """A number twice (here in two 全件 files): the later file's row is the register's, the
    other is kept in register_rows, and applied_rows counts both."""
    folder = tmp_path / "houjin"
    shutil.copytree(register_folder, folder)
    tokyo = folder / "13_tokyo_all_20260331.zip"
    kanagawa = folder / "14_kanagawa_all_20260331.zip"
    moved = _rows(zipfile.ZipFile(tokyo).read("13_tokyo_all_20260331.csv"), "cp932")[0]
    data = zipfile.ZipFile(kanagawa).read("14_kanagawa_all_20260331.csv")
    copy = list(moved)
    copy[6] = "株式会社二重登録"
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerow(copy)
    _rewrite_zip(kanagawa, data + text.getvalue().encode("utf-8"))
    con = _loaded(folder, tmp_path)
    (row,) = con.execute(
        "select name, source_file, applied_rows from corporate_register where corporate_number = ?",
        [moved[1]],
    ).fetchall()
    assert row == ("株式会社二重登録", "14_kanagawa_all_20260331.zip", 2)
    assert (
        con.execute("select count(*) from register_rows where corporate_number = ?", [moved[1]]).fetchone()[0]
        == 2
    )


def test_a_warehouse_with_the_old_register_tables_loads_again(tmp_path):
    from pipeline.stages.register.load import ensure_register_tables, held_register

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create table register_rows (source_file varchar)")
    con.execute("create table corporate_register (corporate_number varchar)")
    con.execute("create table register_deletions (corporate_number varchar)")
    con.execute(
        "create table register_loads (register_version varchar, register_date varchar, "
        "files_json varchar, checked boolean)"
    )
    con.execute("insert into register_loads values ('v', 'd', '[]', true)")
    ensure_register_tables(con)
    assert held_register(con) is None  # the next run loads the register again
    views = {r[0] for r in con.execute("select view_name from duckdb_views() where not temporary").fetchall()}
    assert {"register_rows", "corporate_register", "register_deletions"} <= views


def test_zips_stored_deflated_by_zlib_and_damaged(register_folder, tmp_path, monkeypatch):
    """ISA-L or zlib inflate the same bytes; a stored member is read by zipfile; a damaged
    member is a clear failure (its CRC-32, or the inflater, says so)."""
    import zlib

    from pipeline.stages.register import reading

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    expected = (
        _loaded(register_folder, tmp_path / "a")
        .execute("select * from corporate_register order by corporate_number")
        .fetchall()
    )
    folder = tmp_path / "houjin"
    shutil.copytree(register_folder, folder)
    tokyo = folder / "13_tokyo_all_20260331.zip"
    data = zipfile.ZipFile(tokyo).read("13_tokyo_all_20260331.csv")
    tokyo.unlink()
    with zipfile.ZipFile(tokyo, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("13_tokyo_all_20260331.csv", data)
    monkeypatch.setattr(reading, "_deflate", zlib)
    stored = (
        _loaded(folder, tmp_path / "b")
        .execute("select * from corporate_register order by corporate_number")
        .fetchall()
    )
    assert stored == expected
    kanagawa = folder / "14_kanagawa_all_20260331.zip"
    raw = bytearray(kanagawa.read_bytes())
    info = zipfile.ZipFile(kanagawa).infolist()[0]
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + info.compress_size // 2] ^= 0xFF
    kanagawa.write_bytes(bytes(raw))
    con = duckdb.connect(str(tmp_path / "c.duckdb"))
    load_macros(con)
    with pytest.raises(RegisterError, match="14_kanagawa_all_20260331.zip: the zip is damaged"):
        load_register(con, locate_register(folder), tmp_path / "work")


def test_the_change_list_names_firms_that_moved_or_closed(register_folder, tmp_path):
    """2024 and 2025 hold the tiny sample's firms. The firm the register shows closed on
    2025-09-30 is a candidate in 2024 and gone from 2025's data; the moved firm is a candidate
    in both years, in another prefecture in 2025. Each is made a candidate by its size and one
    large sale to a firm of a prefecture that is neither's."""
    paths = paths_under(tmp_path)
    paths = type(paths)(**{**paths.__dict__, "houjin_dir": register_folder})
    write_sample(paths.raw_dir, size="tiny")
    shutil.copytree(paths.raw_dir / YEAR, paths.raw_dir / "2024")
    firms, prefecture = _tiny_firm_numbers(tmp_path), _tiny_firm_prefectures(tmp_path)
    closed, moved = firms[CASES["closed"]], firms[CASES["moved"]]
    home, closed_home = prefecture[moved], prefecture[closed]
    away = next(p for p in ("13", "27") if p != home)
    elsewhere = next(p for p in ("01", "47", "02") if p not in (home, away, closed_home))
    buyer = next(n for n in firms if prefecture[n] == elsewhere)

    def made_large(rows: list[dict], moves: dict[str, str]) -> list[dict]:
        for row in rows:
            if row["corporate_number"] in (closed, moved):
                row.update(sales_jpy="9000000000", employees="500")
                row["prefecture_code"] = moves.get(row["corporate_number"], row["prefecture_code"])
        return rows

    def large_sale(supplier: str) -> dict:
        return {
            "supplier_corporate_number": supplier,
            "customer_corporate_number": buyer,
            "amount_jpy": "10" * 6,
        }

    def without_closed(rows: list[dict]) -> list[dict]:
        names = ("corporate_number", "supplier_corporate_number", "customer_corporate_number")
        return [r for r in rows if closed not in (r.get(c) for c in names)]

    edit_csv(paths.raw_dir / "2024" / "firms.csv", lambda rows: made_large(rows, {}))
    edit_csv(
        paths.raw_dir / "2024" / "transactions.csv",
        lambda rows: rows + [large_sale(closed), large_sale(moved)],
    )
    edit_csv(paths.raw_dir / YEAR / "firms.csv", lambda rows: made_large(without_closed(rows), {moved: away}))
    edit_csv(
        paths.raw_dir / YEAR / "transactions.csv", lambda rows: without_closed(rows) + [large_sale(moved)]
    )
    instance = dg.DagsterInstance.ephemeral()
    definitions = build_definitions(paths)
    register = definitions.resolve_job_def(REGISTER_JOB_NAME)
    assert register.execute_in_process(instance=instance, run_config=run_config("WARNING")).success
    for year in ("2024", YEAR):
        Registry(paths.registry_path).change_rule(int(year), YearRule(), "test")
        instance.add_dynamic_partitions(fiscal_year_partitions.name, [year])
        result = definitions.resolve_job_def(JOB_NAME).execute_in_process(
            partition_key=year, instance=instance, run_config=run_config("WARNING"), raise_on_error=False
        )
        assert result.success, year
    with duckdb.connect() as con:
        changes = con.execute(
            "select corporate_number, prefecture_code, change, reason_code, reason from read_parquet(?) "
            "where corporate_number in (?, ?)",
            [str(paths.marts_dir / YEAR / "candidate_changes.parquet"), closed, moved],
        ).fetchall()
    name = PREFECTURE_NAMES
    assert sorted(changes) == sorted(
        [
            (
                closed,
                closed_home,
                "left",
                "closed",
                "今年度のデータになく、国税庁の法人番号公表サイトでは 2025-09-30 に閉鎖（清算の結了等）",
            ),
            (
                moved,
                away,
                "entered",
                "moved_in",
                f"本社所在地が {home} {name[home]} から移った（前年度も候補）",
            ),
            (moved, home, "left", "moved_out", f"本社所在地が {away} {name[away]} に移った"),
        ]
    )
