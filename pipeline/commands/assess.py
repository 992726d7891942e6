"""`python -m pipeline assess`: a prefecture's nomination of a firm, assessed against its evidence.

A prefecture may nominate a firm that is not on the candidate list, with evidence (証憑) of
its real transactions. The assessment replaces the firm's rows in the year's network with the
evidence, recomputes the degrees of its prefecture (contract §3; the SQL is in sql/assess/),
applies the rule recorded for the year, and says what changed against the vendor data. It is
written to DATA_MARTS_DIR/assessments/<year>/ (outside the release folders, which every
publication replaces) and recorded in the audit trail: a line of assessments.jsonl there and a
row of the warehouse table `assessments`. The vendor data and the publication stay as they are.

Decisions: a counterparty that is a staged firm of the year is placed in its registered
prefecture whatever the evidence says (a differing prefecture is a warning); a counterparty
that is not a staged firm counts only in the assessed firm's own numerators (the denominators
stay over staged firms, as the contract says); exports stay as staged.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import hashlib
import io
import itertools
import json
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipeline.commands.explain import degree_text, normalise_corporate_number, yen_text
from pipeline.commands.rule_parts import displayed_parts, part_flags
from pipeline.reference.corporate_number import check_digit, is_valid
from pipeline.registry.rule import SelectionRule
from pipeline.settings import Paths
from pipeline.stages.ingest.input_files import InputFileError, detect_encoding
from pipeline.stages.publication.manifest import MANIFEST
from pipeline.warehouse.connection import (
    Warehouse,
    fetch_records,
    run_sql,
    sql_for_year,
    sql_parameters,
    sql_text,
    transaction,
)

ASSESSMENTS = "assessments"
AUDIT_LOG = "assessments.jsonl"

REQUIRED_COLUMNS = (
    "direction",
    "counterparty_corporate_number",
    "counterparty_prefecture_code",
    "amount_jpy",
)
OPTIONAL_COLUMNS = ("counterparty_name",)

# Accepted spellings of the two directions, after NFKC and lower-casing.
DIRECTIONS = {
    "sale": "sale",
    "販売": "sale",
    "売上": "sale",
    "purchase": "purchase",
    "仕入": "purchase",
    "仕入れ": "purchase",
    "調達": "purchase",
}
DIRECTION_NAMES = {"sale": "販売（sale）", "purchase": "仕入（purchase）"}
SELECTIONS = ("thresholds", "composite_top_n")
MAX_BIGINT = 2**63 - 1
LISTED = 20  # counterparties listed per group in the summary; the JSON has them all

# The figures compared before (vendor data) and after (with the evidence), in this order.
COMPARED = (
    ("out_of_prefecture_sales_jpy", "県外販売額（out_of_prefecture_sales_jpy）"),
    ("in_prefecture_purchases_jpy", "県内調達額（in_prefecture_purchases_jpy）"),
    ("connector_degree", "コネクター度（connector_degree）"),
    ("hub_degree", "ハブ度（hub_degree）"),
    ("connector_rank", "コネクター度の県内順位（connector_rank）"),
    ("hub_rank", "ハブ度の県内順位（hub_rank）"),
    ("meets_connector", "コネクター度の基準（meets_connector）"),
    ("meets_hub", "ハブ度の基準（meets_hub）"),
    ("composite_score", "総合評価点（composite_score）"),
    ("composite_rank", "総合評価の県内順位（composite_rank）"),
    ("meets_composite", "総合評価上位N（meets_composite）"),
    ("is_candidate", "候補（is_candidate）"),
    ("prefecture_out_of_prefecture_sales_jpy", "県の県外販売額計（connector denominator）"),
    ("prefecture_in_prefecture_purchases_jpy", "県の県内調達額計（hub denominator）"),
)

NOTES = (
    "取引先が当該年度の登録企業（staged firm）なら、所在地は企業名簿（firms）の本社所在地を使います"
    "（the firm register wins; a differing prefecture in the evidence is a warning）。",
    "登録企業でない取引先は、この企業自身の県外販売額・県内調達額にだけ算入し、分母は県内の登録企業の合計のままです"
    "（non-register counterparties count only in the firm's own numerators; contract §3）。",
    "輸出額（export_sales_jpy）は登録データのままです（exports unchanged）。",
    "再計算するのはこの企業の都道府県だけです。県外の取引先の県の数値は変えません"
    "（only the firm's prefecture is recomputed）。",
    "ベンダーデータと公表リストは変更しません（the vendor data and the publication are unchanged）。",
)


class EvidenceError(Exception):
    """The evidence file cannot be used; one message per problem, each naming its line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class AssessmentError(Exception):
    """The assessment cannot be made (no warehouse or publication, firm not staged, ...)."""


@dataclass(frozen=True)
class EvidenceRow:
    line: int
    direction: str
    corporate_number: str
    prefecture_code: str
    amount_jpy: int
    name: str | None


@dataclass(frozen=True)
class Evidence:
    path: Path
    sha256: str
    encoding: str
    rows: tuple[EvidenceRow, ...]


@dataclass(frozen=True)
class Publication:
    """The live publication of a fiscal year, as its manifest.json identifies it."""

    manifest_path: Path
    manifest_sha256: str
    run_id: str | None
    manifest: dict[str, Any]


# --- the evidence file -----------------------------------------------------------------------

Check = tuple[Any, str | None]  # (the normalised value, or None with what is wrong)


def _text(value: str | None) -> str:
    """Full-width digits, letters and spaces become ASCII (NFKC); then trim."""
    return unicodedata.normalize("NFKC", value or "").strip()


def _direction(raw: str) -> Check:
    text = _text(raw)
    if not text:
        return None, "missing; give sale or purchase (販売/売上, 仕入/調達)"
    direction = DIRECTIONS.get(text.lower())
    if direction is None:
        return None, "unknown direction; give sale or purchase (販売/売上, 仕入/調達)"
    return direction, None


def _counterparty(raw: str, assessed: str) -> Check:
    text = _text(raw)
    if not text:
        return None, "missing 法人番号"
    if not (text.isascii() and text.isdigit()):
        return None, "not 13 digits (it holds characters other than digits); a 法人番号 is 13 digits"
    if len(text) != 13:
        return None, f"not 13 digits ({len(text)} digits); a 法人番号 is 13 digits"
    expected = check_digit(text[1:])
    if int(text[0]) != expected:
        return None, (
            f"bad check digit: the check digit (the first digit) should be {expected}, "
            f"i.e. {expected}{text[1:]}, if the other 12 digits are right"
        )
    if text == assessed:
        return None, "the counterparty is the assessed firm itself; a firm cannot be its own counterparty"
    return text, None


_ONE_OR_TWO_DIGITS = re.compile(r"[0-9]{1,2}")


def _prefecture(raw: str) -> Check:
    text = _text(raw)
    if not text:
        return None, "missing; give the JIS X 0401 prefecture code 01–47"
    if _ONE_OR_TWO_DIGITS.fullmatch(text) and 1 <= int(text) <= 47:
        return f"{int(text):02d}", None
    return None, "unknown prefecture; give the JIS X 0401 prefecture code 01–47"


# Digits, or comma thousands separators in their places (the input files' rule, sql/macros.sql).
_YEN = re.compile(r"[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+")


def _amount(raw: str) -> Check:
    text = _text(raw)
    if not text:
        return None, "missing; give the year's amount in yen, an integer > 0"
    negative = text[:1] in ("-", "−")
    written = text[1:] if negative else text
    if not _YEN.fullmatch(written):
        return (
            None,
            "not an integer number of yen; write digits, optionally with thousands separators (1,234,000)",
        )
    number = int(written.replace(",", ""))
    if number == 0:
        return None, "zero amount; amount_jpy must be > 0"
    if negative:
        return None, "negative amount; amount_jpy must be > 0"
    if number > MAX_BIGINT:
        return None, f"too large (more than {MAX_BIGINT:,} yen)"
    return number, None


def _records_with_lines(text: str, name: str):
    """(first CSV line, fields) of every record; a record may span lines inside quotes."""
    reader = csv.reader(io.StringIO(text, newline=""))
    end = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise EvidenceError([f"{name} line {end + 1}: not readable as CSV: {e}"]) from None
        yield end + 1, record
        end = reader.line_num


def read_evidence(path: Path, assessed: str) -> Evidence:
    """The validated evidence rows of `path`, or an EvidenceError with every problem in it."""
    name = path.name
    if not path.is_file():
        raise EvidenceError([f"{path}: no such file"])
    data = path.read_bytes()
    try:
        encoding = detect_encoding(path)
    except InputFileError as e:
        raise EvidenceError([str(e)]) from None
    text = data.decode("utf-8-sig" if encoding == "utf-8" else "cp932")
    records = (
        (line, fields) for line, fields in _records_with_lines(text, name) if any(f.strip() for f in fields)
    )
    first = next(records, None)
    if first is None:
        raise EvidenceError(
            [f"{name}: the file is empty; it needs a header row and one row per counterparty"]
        )
    header_line, header = first
    columns = [_text(c) for c in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise EvidenceError(
            [
                f"{name}: missing required column {column} (the header, line {header_line}, has: "
                f"{', '.join(columns) or 'nothing'})"
                for column in missing
            ]
        )
    problems: list[str] = []
    rows: list[EvidenceRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, fields in records:
        if len(fields) > len(columns):
            problems.append(
                f"{name} line {line}: {len(fields)} values but the header has {len(columns)} columns; "
                'quote a value that holds a comma, e.g. "1,234,000"'
            )
            continue
        values = dict(zip(columns, fields + [""] * (len(columns) - len(fields)), strict=True))
        checked: dict[str, Any] = {}
        for column, check in (
            ("direction", _direction),
            ("counterparty_corporate_number", lambda raw: _counterparty(raw, assessed)),
            ("counterparty_prefecture_code", _prefecture),
            ("amount_jpy", _amount),
        ):
            value, problem = check(values[column])
            if problem:
                problems.append(f"{name} line {line}, column {column}: {values[column]!r}: {problem}")
            checked[column] = value
        direction, number = checked["direction"], checked["counterparty_corporate_number"]
        if direction and number:
            key = (direction, number)
            if key in seen:
                problems.append(
                    f"{name} line {line}, columns direction and counterparty_corporate_number: "
                    f"{direction} with {number} repeats line {seen[key]}; give each counterparty once "
                    "per direction (the year's total)"
                )
                continue
            seen[key] = line
        if all(v is not None for v in checked.values()):
            rows.append(
                EvidenceRow(
                    line=line,
                    direction=direction,
                    corporate_number=number,
                    prefecture_code=checked["counterparty_prefecture_code"],
                    amount_jpy=checked["amount_jpy"],
                    name=_text(values.get("counterparty_name")) or None,
                )
            )
    if problems:
        raise EvidenceError(problems)
    if not rows:
        raise EvidenceError(
            [f"{name}: the file is empty: a header (line {header_line}) but no evidence rows"]
        )
    return Evidence(
        path=path.resolve(),
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        rows=tuple(rows),
    )


# --- the rule --------------------------------------------------------------------------------


# The composite test needs only the place: the other figures are placeholders.
PLACE_ONLY = {"sales_jpy": 0, "employees": 0, "connector_degree": None, "hub_degree": None}


def composite_verdict(rule: dict[str, Any], composite: dict[str, Any] | None) -> dict[str, Any] | None:
    """For `selection: composite_top_n`: the firm's place by composite score among its
    prefecture's firms that pass the size tests, recomputed over the adjusted degrees
    (composite_ranking below); None when the ranking was not recomputed."""
    if composite is None:
        return None
    flags = part_flags(rule, {**PLACE_ONLY, "eligible_composite_rank": composite["eligible_rank"]})
    return {
        **composite,
        "top_n_per_prefecture": rule["top_n_per_prefecture"],
        "meets_composite": bool(flags["meets_composite"]),
    }


def composite_ranking(con: duckdb.DuckDBPyConnection, rule: dict[str, Any], keys: dict[str, Any]) -> dict:
    """The composite score and places of the assessed firm once its prefecture's degrees are
    adjusted: composite_indicators' SQL over the temp view composite_degrees of assess_degrees."""
    run_sql(con, "assess/composite_degrees", prefecture_code=keys["prefecture_code"])
    indicators = sql_for_year("composite_indicators", keys["fiscal_year"])
    con.execute(f"create or replace temp table assess_composite as {indicators}")
    params = {**SelectionRule(**rule).sql_parameters(), **keys}
    return fetch_records(con, "assess/composite_ranking", **params)[0]


def verdict(
    rule: dict[str, Any], figures: dict[str, Any], con: duckdb.DuckDBPyConnection | None = None
) -> dict[str, Any]:
    """Whether a firm with these figures (sales_jpy, employees, size_class, connector_degree,
    hub_degree) meets the rule recorded for the year, part by part from the macros the selection
    uses (pipeline/commands/rule_parts.py). For `selection: composite_top_n` the threshold tests
    are reported and the candidacy is left to composite_verdict."""
    selection = rule.get("selection") or "thresholds"
    if selection not in SELECTIONS:
        raise AssessmentError(
            f"the rule recorded for the year has selection {selection!r}; "
            f"assess knows {', '.join(SELECTIONS)}"
        )
    excluded = list(rule.get("excluded_size_classes") or [])
    flags = part_flags(rule, figures, con)
    thresholds = displayed_parts({**rule, "selection": "thresholds"}, figures, flags)
    size_class_test = {
        "test": "size_class not in",
        "value": figures.get("size_class"),
        "threshold": excluded,
        "passed": bool(flags["meets_size_class"]),
    }
    tests = [*thresholds[:2], size_class_test, *thresholds[2:]]
    result: dict[str, Any] = {
        "selection": selection,
        "tests": tests,
        "meets_size": bool(flags["meets_size"]),
        "meets_size_class": bool(flags["meets_size_class"]),
        "meets_connector": bool(flags["meets_connector"]),
        "meets_hub": bool(flags["meets_hub"]),
        # The degree test's outcome whatever the selection: the rule under selection thresholds.
        "meets_thresholds": bool(
            part_flags({**rule, "selection": "thresholds"}, figures, con)["is_candidate"]
        ),
    }
    composite = composite_verdict(rule, figures.get("composite"))
    if selection == "thresholds":
        # The composite place is shown beside the thresholds, as the lists show meets_composite.
        result.update(is_candidate=result["meets_thresholds"], composite=composite, note=None)
        return result
    if composite is None:
        result.update(
            composite=None,
            is_candidate=None,
            note="selection composite_top_n: the composite ranking was not recomputed; candidacy not decided",
        )
        return result
    result["tests"].append(
        {
            "test": "composite place among size-passing firms ≤",
            "value": composite["eligible_rank"],
            "threshold": composite["top_n_per_prefecture"],
            "passed": composite["meets_composite"],
        }
    )
    ranked = part_flags(rule, {**figures, "eligible_composite_rank": composite["eligible_rank"]}, con)
    result.update(
        composite=composite,
        is_candidate=bool(ranked["is_candidate"]),
        note="selection composite_top_n: candidates are the top N by composite score among the firms "
        "that pass the size tests; the degree thresholds are shown for comparison",
    )
    return result


# --- the assessment --------------------------------------------------------------------------


def live_publication(marts_dir: Path, fiscal_year: int) -> Publication:
    """The year's live publication: its manifest.json, read once for both its SHA-256 and content."""
    path = marts_dir / str(fiscal_year) / MANIFEST
    if not path.is_file():
        raise AssessmentError(
            f"no publication for fiscal year {fiscal_year}: {path} does not exist; "
            f"run `python -m pipeline run --year {fiscal_year}` first"
        )
    data = path.read_bytes()
    manifest = json.loads(data)
    return Publication(
        manifest_path=path,
        manifest_sha256=hashlib.sha256(data).hexdigest(),
        run_id=manifest.get("dagster_run_id"),
        manifest=manifest,
    )


def _check_warehouse_is_published(
    con: duckdb.DuckDBPyConnection, fiscal_year: int, rule: dict[str, Any], publication: Publication
) -> None:
    """The warehouse's year must be the live publication's: same input files, same rule. (A run
    that failed after staging new inputs leaves the warehouse ahead of the publication.)"""
    warehouse_inputs = {
        f: sha for f, sha in run_sql(con, "assess/published_inputs", fiscal_year=fiscal_year).fetchall()
    }
    published_inputs = {i["source_file"]: i["sha256"] for i in publication.manifest.get("inputs", [])}
    differences = []
    if warehouse_inputs != published_inputs:
        differences.append("its input files")
    if publication.manifest.get("rule") != rule:
        differences.append("its rule")
    amounts = run_sql(con, "amount_rule", fiscal_year=fiscal_year).fetchall()
    published_amounts = publication.manifest.get("amounts", {}).get("rule")
    if published_amounts is not None and (not amounts or json.loads(amounts[0][0]) != published_amounts):
        differences.append("its amount rule")
    if differences:
        raise AssessmentError(
            f"the warehouse's fiscal year {fiscal_year} is not the live publication "
            f"({publication.manifest_path}): {' and '.join(differences)} differ, so a later run changed "
            f"the warehouse without publishing; re-run `python -m pipeline run --year {fiscal_year}` first"
        )


def _not_staged(con: duckdb.DuckDBPyConnection, number: str, fiscal_year: int) -> AssessmentError:
    quarantined = fetch_records(
        con, "explain/quarantined_firm", fiscal_year=fiscal_year, corporate_number=number
    )
    if quarantined:
        where = "; ".join(f"{q['source_file']} line {q['row_number']}: {q['reason']}" for q in quarantined)
        return AssessmentError(
            f"法人番号 {number} is not a staged firm of fiscal year {fiscal_year}: its firms row was "
            f"quarantined ({where}); only a staged firm can be assessed — correct the firm's input row "
            "and re-run"
        )
    return AssessmentError(
        f"法人番号 {number} is not a staged firm of fiscal year {fiscal_year}: it is not in the year's firms "
        "file; only a staged firm can be assessed"
    )


def _load_evidence(con: duckdb.DuckDBPyConnection, evidence: Evidence) -> None:
    run_sql(con, "assess/evidence_table")
    sql = sql_text("assess/add_evidence_row")
    con.executemany(sql, [sql_parameters(sql, asdict(row)) for row in evidence.rows])


def _totals_by_direction(rows: list[dict[str, Any]], amount: str) -> dict[str, dict[str, int]]:
    return {
        direction: {
            "rows": sum(1 for r in rows if r["direction"] == direction and r[amount] is not None),
            "amount_jpy": sum(
                r[amount] for r in rows if r["direction"] == direction and r[amount] is not None
            ),
        }
        for direction in ("sale", "purchase")
    }


def assess(
    con: duckdb.DuckDBPyConnection,
    corporate_number: str,
    fiscal_year: int,
    evidence: Evidence,
    publication: Publication,
) -> dict[str, Any]:
    """The assessment of one nominated firm with its evidence (nothing is written here)."""
    number = normalise_corporate_number(corporate_number)
    if not is_valid(number):
        raise AssessmentError(
            f"{corporate_number!r} is not a valid 法人番号 (13 digits with a correct check digit)"
        )
    recorded_rule = run_sql(con, "selection_rule", fiscal_year=fiscal_year).fetchall()
    if not recorded_rule:
        raise AssessmentError(
            f"the warehouse holds no selection for fiscal year {fiscal_year}; "
            f"run `python -m pipeline run --year {fiscal_year}` first"
        )
    rule = json.loads(recorded_rule[0][0])
    _check_warehouse_is_published(con, fiscal_year, rule, publication)
    rule = {**SelectionRule().model_dump(), **rule}  # a rule recorded before a field had its default
    firms = fetch_records(con, "assess/registered_firm", fiscal_year=fiscal_year, corporate_number=number)
    if not firms:
        raise _not_staged(con, number, fiscal_year)
    firm = firms[0]
    vendor = fetch_records(con, "assess/vendor_figures", fiscal_year=fiscal_year, corporate_number=number)
    if not vendor:
        raise AssessmentError(
            f"法人番号 {number} is staged but has no selection row for fiscal year {fiscal_year}; "
            f"re-run `python -m pipeline run --year {fiscal_year}`"
        )
    before = vendor[0]
    keys = {
        "fiscal_year": fiscal_year,
        "corporate_number": number,
        "firm_key": int(number),
        "prefecture": firm["prefecture"],
        "prefecture_code": firm["prefecture_code"],
    }
    _load_evidence(con, evidence)
    run_sql(con, "assess/counterparties", **keys)
    run_sql(con, "assess/adjusted_degrees", **keys)
    after = fetch_records(con, "assess/adjusted_figures", **keys)[0]
    figures = {**after, **{k: firm[k] for k in ("sales_jpy", "employees", "size_class")}}
    figures["composite"] = composite_ranking(con, rule, keys)
    decision = verdict(rule, figures, con)
    if decision["composite"] is not None:
        after.update(
            {k: decision["composite"][k] for k in ("composite_score", "composite_rank", "meets_composite")}
        )
    after.update(
        meets_size=decision["meets_size"],
        meets_size_class=decision["meets_size_class"],
        meets_connector=decision["meets_connector"],
        meets_hub=decision["meets_hub"],
        is_candidate=decision["is_candidate"],
    )
    (others_changed,) = run_sql(con, "assess/other_firms_changed", **keys).fetchone()
    counterparties = fetch_records(con, "assess/counterparty_changes", **keys)
    resolved = fetch_records(con, "assess/resolved_counterparties")
    mismatches = [
        {
            "line": c["line"],
            "direction": c["direction"],
            "corporate_number": c["corporate_number"],
            "name": c["name"],
            "evidence_prefecture_code": c["evidence_prefecture_code"],
            "registered_prefecture_code": c["registered_prefecture_code"],
        }
        for c in resolved
        if c["in_register"] and c["evidence_prefecture_code"] != c["registered_prefecture_code"]
    ]
    not_in_register = [
        {
            "line": c["line"],
            "direction": c["direction"],
            "corporate_number": c["corporate_number"],
            "name": c["name"],
            "prefecture_code": c["prefecture_code"],
            "amount_jpy": c["amount_jpy"],
        }
        for c in resolved
        if not c["in_register"]
    ]
    warnings = [
        f"{evidence.path.name} line {m['line']}: counterparty {m['corporate_number']} is in prefecture "
        f"{m['evidence_prefecture_code']} in the evidence but {m['registered_prefecture_code']} in the firm "
        f"register; the register's {m['registered_prefecture_code']} is used"
        for m in mismatches
    ]

    return {
        "fiscal_year": fiscal_year,
        "corporate_number": number,
        "firm": {k: v for k, v in firm.items() if k != "prefecture"},
        "evidence": {
            "path": str(evidence.path),
            "sha256": evidence.sha256,
            "encoding": evidence.encoding,
            "rows": len(evidence.rows),
        },
        "publication": {
            "manifest": str(publication.manifest_path),
            "manifest_sha256": publication.manifest_sha256,
            "run_id": publication.run_id,
        },
        "rule": rule,
        "before": before,
        "after": after,
        "comparison": [
            {
                "item": key,
                "before": before.get(key),
                "after": after.get(key),
                "changed": before.get(key) != after.get(key),
            }
            for key, _ in COMPARED
        ],
        "verdict": decision,
        "other_firms_with_changed_in_prefecture_purchases": others_changed,
        "vendor_rows_removed": _totals_by_direction(counterparties, "vendor_amount_jpy"),
        "evidence_rows_added": _totals_by_direction(counterparties, "evidence_amount_jpy"),
        "counterparties": {
            "evidence_only": [c for c in counterparties if c["vendor_amount_jpy"] is None],
            "vendor_only": [c for c in counterparties if c["evidence_amount_jpy"] is None],
            "amount_changed": [
                c
                for c in counterparties
                if None not in (c["vendor_amount_jpy"], c["evidence_amount_jpy"])
                and c["vendor_amount_jpy"] != c["evidence_amount_jpy"]
            ],
            "unchanged": sum(1 for c in counterparties if c["vendor_amount_jpy"] == c["evidence_amount_jpy"]),
        },
        "prefecture_mismatches": mismatches,
        "not_in_register": not_in_register,
        "warnings": warnings,
        "notes": list(NOTES),
    }


# --- the summary -----------------------------------------------------------------------------


def _rank(value: Any) -> str:
    return "—" if value is None else f"{value:,} 位"


def _yes_no(value: Any) -> str:
    if value is None:
        return "未判定（not decided here）"
    return "はい（yes）" if value else "いいえ（no）"


def _figure(key: str, value: Any) -> str:
    if key == "composite_score":
        return "—" if value is None else f"{value:.2f}"
    if key.endswith("_jpy"):
        return yen_text(value)
    if key.endswith("_degree"):
        return degree_text(value)
    if key.endswith("_rank"):
        return _rank(value)
    return _yes_no(value)


def _number(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "、".join(value) or "なし（none）"
    if isinstance(value, bool | str):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:.6g}"


def _verdict_text(assessment: dict[str, Any]) -> str:
    decision = assessment["verdict"]
    was = (
        "ベンダーデータでは候補です（a candidate on the vendor data）"
        if assessment["before"]["is_candidate"]
        else "ベンダーデータでは候補ではありません（not a candidate on the vendor data）"
    )
    if decision["is_candidate"] is True:
        now = "証憑を反映すると選定ルールを満たします（meets the rule with the evidence）"
    elif decision["is_candidate"] is False:
        now = "証憑を反映しても選定ルールを満たしません（does not meet the rule with the evidence）"
    else:
        now = "候補かどうかを判定できません（candidacy not decided）"

    return f"判定（verdict）: {now}。{was}。"


def _counterparty_line(row: dict[str, Any], group: str) -> str:
    if group == "evidence_only":
        amount = yen_text(row["evidence_amount_jpy"])
    elif group == "vendor_only":
        amount = yen_text(row["vendor_amount_jpy"])
    else:
        amount = f"{yen_text(row['vendor_amount_jpy'])} → {yen_text(row['evidence_amount_jpy'])}"
    where = f"  [証憑 行 {row['line']}]" if row["line"] is not None else ""
    return (
        f"- {DIRECTION_NAMES[row['direction']]} {row['corporate_number']} {row['name'] or ''}"
        f"（{row['prefecture_code']}） {amount}{where}"
    )


def render_text(assessment: dict[str, Any]) -> str:
    """The assessment as a summary a person reads (Markdown: printed, and saved as the .md file)."""
    firm, before, after = assessment["firm"], assessment["before"], assessment["after"]
    decision = assessment["verdict"]
    others_changed = assessment["other_firms_with_changed_in_prefecture_purchases"]
    number, year = assessment["corporate_number"], assessment["fiscal_year"]
    evidence, publication = assessment["evidence"], assessment["publication"]
    lines = [
        f"# 推薦評価（nomination assessment）: {firm['name']}（法人番号 {number}、{year}年度）",
        "",
        _verdict_text(assessment),
        "",
        f"- 本社所在地（head office, firm register）: {firm['prefecture_code']} {firm['prefecture_name']}"
        f"    産業（JSIC）: {firm['jsic_division']}    規模区分（size class）: {firm['size_class'] or '—'}",
        f"- 売上高（sales）{yen_text(firm['sales_jpy'])}、従業員（employees）{firm['employees']:,} 人、"
        f"輸出（exports, unchanged）{yen_text(firm['export_sales_jpy'])}",
        f"- 証憑（evidence）: {evidence['path']}（{evidence['rows']:,} 行、{evidence['encoding']}、"
        f"SHA-256 {evidence['sha256']}）",
        f"- 公表（publication）: run_id {publication['run_id']}、{publication['manifest']}"
        f"（SHA-256 {publication['manifest_sha256']}）",
        f"- 評価日時（assessed at, UTC）: {assessment.get('assessed_at', '—')}、"
        f"実行者（by）: {assessment.get('assessed_by', '—')}",
        "",
        "## ベンダーデータとの比較（vendor data → with the evidence）",
        "",
        "| 項目（item） | ベンダーデータ（before） | 証憑反映後（after） |",
        "|---|---:|---:|",
    ]
    for key, label in COMPARED:
        lines.append(f"| {label} | {_figure(key, before.get(key))} | {_figure(key, after.get(key))} |")
    lines += [
        "",
        f"{firm['prefecture_name']}の登録企業 {after['prefecture_firms']:,} 社で再計算しました。"
        f"この企業との取引の置き換えで、ほかに {others_changed:,} 社の"
        "県内調達額（in-prefecture purchases）が変わり、ハブ度の分母に反映されています。",
        "",
        "## 選定ルール（rule: size and size class and "
        + ("composite top N）" if decision["selection"] == "composite_top_n" else "(connector or hub)）"),
        "",
    ]
    for part in decision["tests"]:
        mark = "合格 PASS" if part["passed"] else "不合格 FAIL"
        lines.append(f"- {part['test']} {_number(part['threshold'])}: {_number(part['value'])} → {mark}")
    if decision["note"]:
        lines.append(f"- {decision['note']}")
    removed, added = assessment["vendor_rows_removed"], assessment["evidence_rows_added"]
    lines += ["", "## 置き換えた取引（transactions replaced）", ""]
    for title, totals in (
        ("ベンダーデータから除いた行（vendor rows removed）", removed),
        ("証憑から加えた行（evidence rows added）", added),
    ):
        parts = [
            f"{DIRECTION_NAMES[d]} {totals[d]['rows']:,} 件 {yen_text(totals[d]['amount_jpy'])}"
            for d in totals
        ]
        lines.append(f"- {title}: {'、'.join(parts)}")
    counterparties = assessment["counterparties"]
    lines += ["", "## 取引先の違い（counterparties）", ""]
    for group, title in (
        ("evidence_only", "証憑のみ（in the evidence, not in the vendor data）"),
        ("vendor_only", "ベンダーデータのみ（in the vendor data, not in the evidence）"),
        ("amount_changed", "金額が異なる（different amounts: vendor → evidence）"),
    ):
        rows = counterparties[group]
        lines.append(f"{title}: {len(rows):,} 社")
        lines += [_counterparty_line(row, group) for row in rows[:LISTED]]
        if len(rows) > LISTED:
            lines.append(f"- …ほか {len(rows) - LISTED:,} 社（JSON に全件: all in the JSON）")
    lines.append(f"同じ金額（same amount）: {counterparties['unchanged']:,} 社")
    lines += ["", "## 企業名簿にない取引先（not in the firm register: not a staged firm of the year）", ""]
    lines += [
        f"- 証憑 行 {c['line']}: {DIRECTION_NAMES[c['direction']]} {c['corporate_number']} {c['name'] or ''}"
        f"（証憑の所在地 {c['prefecture_code']}） {yen_text(c['amount_jpy'])} — この企業の数値にだけ算入"
        for c in assessment["not_in_register"]
    ] or ["- なし（none）"]
    lines += ["", "## 警告（warnings）", ""]
    lines += [f"- {w}" for w in assessment["warnings"]] or ["- なし（none）"]
    lines += ["", "## 注記（notes）", ""]
    lines += [f"- {note}" for note in assessment["notes"]]
    if "files" in assessment:
        lines += ["", "## ファイル（files）", ""]
        lines += [f"- {assessment['files']['json']}", f"- {assessment['files']['markdown']}"]
    return "\n".join(lines)


def to_json(assessment: dict[str, Any]) -> str:
    """The assessment as JSON: keys sorted, Japanese kept."""
    return json.dumps(assessment, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


# --- files and the audit trail ---------------------------------------------------------------


def _write_new(path: Path, text: str) -> None:
    """Write `text` to a temp file beside `path`, then link it into place: the file appears
    whole, and never over an existing one (FileExistsError)."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o644)
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.link(temp, path)
    finally:
        os.unlink(temp)


def write_assessment(folder: Path, at: dt.datetime, assessment: dict[str, Any]) -> tuple[Path, Path]:
    """<corporate_number>-<UTC timestamp>.json and .md in `folder`; a second assessment of the
    firm within the same second gets -2, -3, ... rather than replacing the first."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = at.strftime("%Y%m%dT%H%M%SZ")
    for attempt in itertools.count(1):
        stem = f"{assessment['corporate_number']}-{stamp}" + ("" if attempt == 1 else f"-{attempt}")
        json_path, md_path = folder / f"{stem}.json", folder / f"{stem}.md"
        if json_path.exists() or md_path.exists():
            continue
        assessment["files"] = {"json": str(json_path), "markdown": str(md_path)}
        try:
            _write_new(json_path, to_json(assessment))
        except FileExistsError:
            continue
        _write_new(md_path, render_text(assessment) + "\n")
        return json_path, md_path
    raise AssertionError("unreachable")


def audit_record(assessment: dict[str, Any]) -> dict[str, Any]:
    """The audit trail's record of an assessment (a jsonl line; a row of `assessments`)."""
    decision = assessment["verdict"]
    return {
        "assessed_at": assessment["assessed_at"],
        "assessed_by": assessment["assessed_by"],
        "fiscal_year": assessment["fiscal_year"],
        "corporate_number": assessment["corporate_number"],
        "prefecture_code": assessment["firm"]["prefecture_code"],
        "evidence_path": assessment["evidence"]["path"],
        "evidence_sha256": assessment["evidence"]["sha256"],
        "publication_run_id": assessment["publication"]["run_id"],
        "manifest_sha256": assessment["publication"]["manifest_sha256"],
        "rule": assessment["rule"],
        "verdict": {
            "selection": decision["selection"],
            "meets_thresholds": decision["meets_thresholds"],
            "was_candidate": assessment["before"]["is_candidate"],
            "is_candidate": decision["is_candidate"],
        },
        "is_candidate": decision["is_candidate"],
        "json_path": assessment["files"]["json"],
        "markdown_path": assessment["files"]["markdown"],
    }


def record(con: duckdb.DuckDBPyConnection, folder: Path, entry: dict[str, Any]) -> None:
    """Append the record to assessments.jsonl and insert it into `assessments`: both or neither
    (the line is written inside the warehouse transaction, which commits after it)."""
    params = {
        **entry,
        "assessed_at": dt.datetime.strptime(entry["assessed_at"], "%Y-%m-%dT%H:%M:%SZ"),
        "rule": json.dumps(entry["rule"], sort_keys=True, ensure_ascii=False),
        "verdict": json.dumps(entry["verdict"], sort_keys=True, ensure_ascii=False),
    }
    line = json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n"
    with transaction(con):
        run_sql(con, "assess/schema")
        run_sql(con, "assess/record_assessment", **params)
        with (folder / AUDIT_LOG).open("a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def run_assessment(
    paths: Paths,
    corporate_number: str,
    fiscal_year: int,
    evidence_path: Path,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> dict[str, Any]:
    """Validate the evidence, assess, write the two files and record the assessment."""
    number = normalise_corporate_number(corporate_number)
    if not is_valid(number):
        raise AssessmentError(
            f"{corporate_number!r} is not a valid 法人番号 (13 digits with a correct check digit)"
        )
    evidence = read_evidence(evidence_path, number)
    if not paths.duckdb_path.exists():
        raise AssessmentError(f"no warehouse at {paths.duckdb_path}; run `python -m pipeline run` first")
    publication = live_publication(paths.marts_dir, fiscal_year)
    at = now().astimezone(dt.UTC).replace(microsecond=0)
    folder = paths.marts_dir / ASSESSMENTS / str(fiscal_year)
    with Warehouse(path=str(paths.duckdb_path)).connect() as con:
        assessed = assess(con, number, fiscal_year, evidence, publication)
        assessment = {
            "assessed_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "assessed_by": _os_user(),
            **assessed,
        }
        json_path, md_path = write_assessment(folder, at, assessment)
        try:
            record(con, folder, audit_record(assessment))
        except BaseException:
            json_path.unlink(missing_ok=True)
            md_path.unlink(missing_ok=True)
            raise
    return assessment


# --- the command line ------------------------------------------------------------------------


def _fiscal_year(text: str) -> int:
    if not re.fullmatch(r"[0-9]{4}", text):
        raise argparse.ArgumentTypeError(f"{text!r}: a fiscal year is four digits, e.g. 2025")
    return int(text)


def add_parser(subparsers) -> None:
    """The `assess` subcommand."""
    a = subparsers.add_parser(
        "assess",
        help="assess a prefecture's nomination of a firm with evidence (証憑) of its transactions",
    )
    a.add_argument("corporate_number", help="法人番号 (13 digits) of the nominated firm")
    a.add_argument(
        "--evidence",
        required=True,
        help="CSV (UTF-8 or CP932): direction, counterparty_corporate_number, "
        "counterparty_prefecture_code, amount_jpy[, counterparty_name]",
    )
    a.add_argument(
        "--year", required=True, type=_fiscal_year, help="fiscal year of the publication, e.g. 2025"
    )
    a.add_argument("--json", action="store_true", help="print the assessment as JSON")
    a.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    """Exit 0 with the assessment (whatever its verdict); 2 when it cannot be made."""
    try:
        assessment = run_assessment(Paths.from_env(), args.corporate_number, args.year, Path(args.evidence))
    except EvidenceError as e:
        for problem in e.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(
            f"error: the evidence has {len(e.problems)} problem(s); nothing was assessed or recorded",
            file=sys.stderr,
        )
        return 2
    except AssessmentError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except duckdb.IOException as e:
        print(f"error: cannot use the warehouse (is a run in progress?): {e}", file=sys.stderr)
        return 2
    for warning in assessment["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    print(to_json(assessment) if args.json else render_text(assessment), end="" if args.json else "\n")
    return 0
