"""As-of lookup in the 一覧: is a firm designated on a date, under which plans, since when.

Answers come from `ichiran/history.parquet` (every version's designation intervals), so a date
in the past is answered as the 一覧 stood then. Bulk lookups run as one DuckDB query over the
whole input file: every input row comes back, in order, with its status. Every lookup is by
法人番号: a 個人 on the 一覧 (listed by its vendor code, with no number) is not found by number,
and there is no lookup by vendor code.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from pipeline.designations.firms_file import corporate_number_problem
from pipeline.designations.publish import HISTORY, ichiran_dir
from pipeline.runtime.release_folders import copy_bom_csv
from pipeline.settings import Paths
from pipeline.stages.ingest.input_files import InputFileError, csv_header, detect_encoding, transcode_to_utf8
from pipeline.warehouse.connection import fetch_records, sql_text

NUMBER_COLUMNS = ("corporate_number", "法人番号")


class LookupError_(Exception):
    """The lookup cannot be made (no 一覧 yet, an unreadable file); the message says why."""


def today_in_japan() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Tokyo")).date()


def history_path(paths: Paths) -> Path:
    path = ichiran_dir(paths) / HISTORY
    if not path.is_file():
        raise LookupError_(f"no 重点支援企業一覧 has been published ({path} does not exist)")
    return path


def version_in_force(paths: Paths, as_of: dt.date) -> dict | None:
    """The version in force on `as_of` (the latest taking effect on or before it), from the
    versions' own manifests."""
    best = None
    for manifest in sorted(ichiran_dir(paths).glob("v[0-9][0-9][0-9][0-9]/manifest.json")):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data["effective_date"] <= as_of.isoformat():
            best = {"ichiran_version": data["ichiran_version"], "effective_date": data["effective_date"]}
    return best


def lookup(paths: Paths, number: str, as_of: dt.date) -> dict:
    """The answer for one 法人番号; an invalid number raises ValueError with the check-digit message."""
    text = unicodedata.normalize("NFKC", number).strip()
    problem = corporate_number_problem(text)
    if problem:
        raise ValueError(f"{number!r}: {problem}")
    with duckdb.connect() as con:
        rows = fetch_records(
            con,
            "designations/lookup_one",
            history=str(history_path(paths)),
            corporate_number=text,
            as_of=as_of,
        )
    plans = [
        {k: r[k] for k in ("plan_id", "plan_title", "prefecture_code", "prefecture_name", "municipality_code",
                           "focus", "basis", "listed_from", "listed_until")}
        for r in rows
        if r["in_force"]
    ]  # fmt: skip
    history = [
        {k: r[k] for k in ("plan_id", "plan_title", "prefecture_code", "prefecture_name", "listed_from",
                           "listed_until", "first_version", "last_version")}
        for r in rows
    ]  # fmt: skip
    return {
        "corporate_number": text,
        "as_of": as_of.isoformat(),
        "listed": bool(plans),
        "name": rows[-1]["name"] if rows else None,
        "version_in_force": version_in_force(paths, as_of),
        "plans": plans,
        "history": history,
    }


def render(answer: dict) -> str:
    number, as_of = answer["corporate_number"], answer["as_of"]
    version = answer["version_in_force"]
    head = (
        f"（第{version['ichiran_version']}版、{version['effective_date']}適用）"
        if version
        else "（この日に適用されていた版はありません）"
    )
    if answer["listed"]:
        lines = [
            f"法人番号 {number} {answer['name'] or ''} は {as_of} に"
            f"重点支援企業一覧に掲載されています{head}: listed"
        ]
        for p in answer["plans"]:
            lines.append(
                f"  計画 {p['plan_id']}「{p['plan_title']}」 {p['prefecture_code']} {p['prefecture_name']}"
                f"  {p['listed_from']} から（until {p['listed_until']}）"
            )
    else:
        lines = [f"法人番号 {number} は {as_of} に重点支援企業一覧に掲載されていません{head}: not listed"]
        for p in answer["history"]:
            lines.append(
                f"  掲載期間 {p['listed_from']} – {p['listed_until']}: "
                f"計画 {p['plan_id']}「{p['plan_title']}」 "
                f"{p['prefecture_code']} {p['prefecture_name']}"
            )
    return "\n".join(lines)


def _read_numbers(path: Path, work: Path) -> pa.Table:
    """The input CSV as text columns, with input_row (1-based data row) and number_as_written."""
    try:
        encoding = detect_encoding(path)
    except InputFileError as e:
        raise LookupError_(str(e)) from None
    source = path if encoding == "utf-8" else transcode_to_utf8(path, "cp932", work / "numbers.csv")
    header, _ = csv_header(source)
    try:
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(encoding="utf-8"),
            convert_options=pacsv.ConvertOptions(
                strings_can_be_null=False, column_types={n: pa.string() for n in header}
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
        )
    except pa.ArrowInvalid as e:
        raise LookupError_(f"{path.name}: not readable as CSV: {e}") from None
    names = [unicodedata.normalize("NFKC", n).strip().lstrip("\ufeff") for n in table.column_names]
    table = table.rename_columns(names)
    chosen = next((n for n in NUMBER_COLUMNS if n in names), names[0] if len(names) == 1 else None)
    if chosen is None:
        raise LookupError_(
            f"{path.name}: no column corporate_number or 法人番号 (the header has: {', '.join(names)})"
        )
    table = table.append_column("number_as_written", table.column(chosen))
    return table.add_column(0, "input_row", pa.array(range(1, table.num_rows + 1), pa.int64()))


def lookup_file(paths: Paths, source: Path, out: Path, as_of: dt.date) -> dict[str, int]:
    """Every row of `source` with its status on `as_of`, written to `out` (UTF-8 BOM CSV);
    returns the count per status."""
    history = history_path(paths)
    if not source.is_file():
        raise LookupError_(f"{source}: no such file")
    with tempfile.TemporaryDirectory() as work, duckdb.connect() as con:
        con.execute(sql_text("macros"))
        con.register("numbers", _read_numbers(source, Path(work)))
        con.register("history", con.read_parquet(str(history)))
        con.execute("create temp table answers as " + sql_text("designations/lookup_bulk"), {"as_of": as_of})
        copy_bom_csv(con, "select * from answers", out)
        counts = dict(con.execute("select status, count(*) from answers group by status").fetchall())
    return {k: counts.get(k, 0) for k in ("listed", "not_listed", "invalid")}
