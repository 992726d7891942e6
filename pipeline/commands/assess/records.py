"""The assessment's files and its audit trail: a JSON and a Markdown file, a jsonl line and a
warehouse row."""

from __future__ import annotations

import datetime as dt
import getpass
import itertools
import json
import os
import tempfile
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from pipeline.commands.assess.assessment import assess, firm_asked, live_publication
from pipeline.commands.assess.errors import AssessmentError
from pipeline.commands.assess.evidence import read_evidence
from pipeline.commands.assess.report import render_text, to_json
from pipeline.commands.explain import FirmAsked
from pipeline.settings import Paths
from pipeline.warehouse.connection import (
    Warehouse,
    run_sql,
    transaction,
)

ASSESSMENTS = "assessments"


AUDIT_LOG = "assessments.jsonl"


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


def file_stem(assessment: dict[str, Any]) -> str:
    """The firm in an assessment's file names: its 法人番号, or vendor-<code> for a 個人 (the
    code percent-encoded, so that any code makes one plain file name)."""
    if assessment["corporate_number"] is not None:
        return assessment["corporate_number"]
    return "vendor-" + urllib.parse.quote(assessment["vendor_code"], safe="")


def write_assessment(folder: Path, at: dt.datetime, assessment: dict[str, Any]) -> tuple[Path, Path]:
    """<corporate_number>-<UTC timestamp>.json and .md in `folder` (vendor-<code>-… for a 個人);
    a second assessment of the firm within the same second gets -2, -3, ... rather than
    replacing the first."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = at.strftime("%Y%m%dT%H%M%SZ")
    for attempt in itertools.count(1):
        stem = f"{file_stem(assessment)}-{stamp}" + ("" if attempt == 1 else f"-{attempt}")
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
        # firm_id: the 法人番号, or 'vendor:' and the code of a 個人 (as the designations store)
        "corporate_number": assessment["firm_id"],
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
    asked: FirmAsked | str,
    fiscal_year: int,
    evidence_path: Path,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> dict[str, Any]:
    """Validate the evidence, assess, write the two files and record the assessment. The firm is
    a 法人番号 as typed, or a FirmAsked by the vendor's code (a 個人)."""
    asked = firm_asked(asked)
    evidence = read_evidence(evidence_path, asked.corporate_number)
    if not paths.duckdb_path.exists():
        raise AssessmentError(f"no warehouse at {paths.duckdb_path}; run `python -m pipeline run` first")
    publication = live_publication(paths.marts_dir, fiscal_year)
    at = now().astimezone(dt.UTC).replace(microsecond=0)
    folder = paths.marts_dir / ASSESSMENTS / str(fiscal_year)
    with Warehouse(path=str(paths.duckdb_path)).connect() as con:
        assessed = assess(con, asked, fiscal_year, evidence, publication)
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
