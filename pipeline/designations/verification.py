"""Verification of every firm a plan designates, against the live release of the reference year.

A firm passes when it is a staged firm of the reference fiscal year, its head office is in the
plan's prefecture, and either it is on that prefecture's list in the live release (basis
`candidate`) or `assess` with its evidence says it meets the year's rule (basis `evidence`).
The release's own files are read (firm_degrees holds every staged firm, national_candidates the
list), so the verdict is about what was published, never about an unpublished warehouse.

A 個人 (no 法人番号) is named by its vendor code and found in those files by it. It is not in the
国税庁 register, so its head office is the release's prefecture (as for every firm here). With
an `evidence` basis it is assessed by its vendor code, as `assess --vendor-code` does.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.commands.assess import AssessmentError, run_assessment
from pipeline.commands.explain import FirmAsked
from pipeline.designations.firms_file import FirmsFile
from pipeline.designations.store import Designation
from pipeline.reference.prefectures import PREFECTURES
from pipeline.runtime.release_folders import live_release, release_folder_path
from pipeline.settings import Paths
from pipeline.stages.publication.manifest import MANIFEST
from pipeline.warehouse.connection import fetch_records, sql_text

PREFECTURE_NAMES = {p.code: p.name for p in PREFECTURES}


class VerificationError(Exception):
    """The firms cannot be verified at all (no publication, the warehouse is not the live
    release, ...); one message per problem, nothing is recorded."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LiveRelease:
    fiscal_year: int
    release_id: str
    folder: Path
    manifest_sha256: str


def published_years(marts_dir: Path) -> list[int]:
    """Fiscal years with a live release, oldest first."""
    if not marts_dir.is_dir():
        return []
    years = [p.name for p in marts_dir.iterdir() if re.fullmatch("[0-9]{4}", p.name)]
    return sorted(int(y) for y in years if live_release(marts_dir, int(y)) is not None)


def reference_release(marts_dir: Path, fiscal_year: int | None = None) -> LiveRelease:
    """The live release of `fiscal_year`, default the latest published year."""
    years = published_years(marts_dir)
    if fiscal_year is None:
        if not years:
            raise VerificationError(
                [f"no published candidate list in {marts_dir}; run `python -m pipeline run` first"]
            )
        fiscal_year = years[-1]
    release = live_release(marts_dir, fiscal_year)
    if release is None:
        raise VerificationError([f"fiscal year {fiscal_year} has no live release in {marts_dir}"])
    folder = release_folder_path(marts_dir, release)
    digest = hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()
    return LiveRelease(fiscal_year, release, folder, digest)


def _failed_tests(assessment: dict) -> str:
    tests = assessment["verdict"]["tests"]
    failed = [f"{t['test']} {t['threshold']} (is {t['value']})" for t in tests if not t["passed"]]
    return "; ".join(failed) or "no test failed, but the firm is not a candidate"


def verify(paths: Paths, prefecture_code: str, firms: FirmsFile, release: LiveRelease) -> list[Designation]:
    """A verdict for every firm of the file; evidence firms are assessed (assess records each)."""
    table = pa.table(
        {
            "line": [f.line for f in firms.firms],
            "corporate_number": [f.corporate_number for f in firms.firms],
            "vendor_code": [f.vendor_code for f in firms.firms],
            "basis": [f.basis for f in firms.firms],
        }
    )
    with duckdb.connect() as con:
        con.execute(sql_text("firm_identity"))
        con.register("plan_firms", table)
        rows = fetch_records(
            con,
            "designations/verify_firms",
            firm_degrees=str(release.folder / "firm_degrees.parquet"),
            candidates=str(release.folder / "national_candidates.parquet"),
            prefecture_code=prefecture_code,
        )
    by_line = {f.line: f for f in firms.firms}
    here = f"{prefecture_code} {PREFECTURE_NAMES[prefecture_code]}"
    pref_name = PREFECTURE_NAMES[prefecture_code]
    out: list[Designation] = []
    problems: list[str] = []
    for row in rows:
        firm = by_line[row["line"]]
        common = {
            "line": firm.line,
            "corporate_number": firm.corporate_number,
            "basis": firm.basis,
            "release_id": release.release_id,
            "name": row["name"],
            "head_office_prefecture_code": row["head_office_prefecture_code"],
            "evidence_file": str(firm.evidence_file.resolve()) if firm.evidence_file else None,
            "evidence_sha256": (
                hashlib.sha256(firm.evidence_file.read_bytes()).hexdigest() if firm.evidence_file else None
            ),
            "note": firm.note,
            "vendor_code": firm.vendor_code or row["vendor_code"],
            "legal_form": row["legal_form"],
        }
        if not row["staged"] and row["code_of_corporate_number"]:
            out.append(Designation(**common, passed=False, reason=(
                f"不可: 企業コード {firm.vendor_code} は法人番号 {row['code_of_corporate_number']} "
                f"の法人のものです (the vendor code of a 法人 in release {release.release_id}); "
                "法人番号で指定してください (name a 法人 by its 法人番号)"
            )))  # fmt: skip
            continue
        if not row["staged"]:
            out.append(Designation(**common, passed=False, reason=(
                f"不可: {release.fiscal_year}年度の登録企業ではありません (not a staged firm of fiscal year "
                f"{release.fiscal_year}, release {release.release_id})"
            )))  # fmt: skip
            continue
        if not row["in_prefecture"]:
            there = row["head_office_prefecture_code"]
            out.append(Designation(**common, passed=False, reason=(
                f"不可: 本社所在地が {there} {PREFECTURE_NAMES.get(there, '')} です (head office not in the "
                f"plan's prefecture {here})"
            )))  # fmt: skip
            continue
        if firm.basis == "candidate":
            if row["on_list"]:
                reason = f"可: {pref_name}の候補リストに掲載 (on the list of release {release.release_id})"
            else:
                reason = (
                    f"不可: {pref_name}の候補リストにありません (not on the list of release "
                    f"{release.release_id}); 証憑 (evidence) を添えて指定してください"
                )
            out.append(Designation(**common, passed=bool(row["on_list"]), reason=reason))
            continue
        asked = firm.corporate_number or FirmAsked.by_vendor_code(firm.vendor_code)
        try:
            assessment = run_assessment(paths, asked, release.fiscal_year, firm.evidence_file)
        except AssessmentError as e:
            who = firm.corporate_number or f"vendor code {firm.vendor_code}"
            problems.append(f"line {firm.line}: {who}: cannot assess its evidence: {e}")
            continue
        json_path = Path(assessment["files"]["json"])
        meets = assessment["verdict"]["is_candidate"] is True
        reason = (
            "可: 証憑による評価で基準を満たします (assess with the evidence meets the rule)"
            if meets
            else "不可: 証憑による評価で基準を満たしません "
            f"(assess with the evidence fails: {_failed_tests(assessment)})"
        )
        out.append(Designation(**{
            **common, "passed": meets, "reason": reason, "assessment_file": str(json_path),
            "assessment_sha256": hashlib.sha256(json_path.read_bytes()).hexdigest(),
        }))  # fmt: skip
    if problems:
        raise VerificationError(problems)
    return out


def with_flags(designations: list[Designation], elsewhere: dict[str, list[str]]) -> list[Designation]:
    """Mark the firms that plans of other prefectures designate too (a flag, not a failure);
    `elsewhere` is keyed by firm id."""
    flagged = []
    for d in designations:
        plans = elsewhere.get(d.firm_id)
        flag = f"他県の計画でも指定 (also designated by {', '.join(plans)})" if plans else None
        flagged.append(Designation(**{**d.__dict__, "flag": flag}))
    return flagged
