"""Plans (地域産業クラスター計画): submission with verification, approval and return.

A submission is checked whole before anything is recorded: its options, its firms file and every
evidence file; then every firm is verified. Only then is the revision recorded, with each firm's
verdict, in one transaction. The secretariat approves a submitted revision (refused while a firm
fails, unless `exclude` leaves those firms out, recorded) or returns it; both need a reason.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.designations.firms_file import corporate_number_problem, read_firms_file
from pipeline.designations.store import Designation, PlanStore, StoreError
from pipeline.designations.verification import reference_release, verify, with_flags
from pipeline.settings import Paths

KPI_NAMES = ("域内取引額", "売上額", "雇用", "賃上げ")
_KPI = re.compile(r"(?P<name>[^=]+)=(?P<target>[0-9][0-9,]*(?:\.[0-9]+)?)%?@(?P<year>[0-9]{4})")


class PlanError(Exception):
    """A request that cannot be recorded; one message per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Submission:
    prefecture: str
    title: str
    focus: str
    valid_from: str
    valid_to: str
    firms: Path
    municipality: str | None = None
    plan_id: str | None = None
    kpis: tuple[str, ...] = ()
    year: int | None = None
    reason: str | None = None


def prefecture_code(text: str) -> str | None:
    """'13', '1', '０１' → '13', '01'; None when not 01–47."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if re.fullmatch(r"[0-9]{1,2}", value) and 1 <= int(value) <= 47:
        return f"{int(value):02d}"
    return None


def parse_kpi(text: str) -> tuple[dict | None, str | None]:
    """NAME=TARGET@YEAR, e.g. 売上額=12000000000@2028 or 賃上げ=3%@2028 (賃上げ: % over the baseline)."""
    match = _KPI.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None, f"--kpi {text!r}: write NAME=TARGET@YEAR, e.g. 売上額=12000000000@2028"
    name = match["name"].strip()
    if name not in KPI_NAMES:
        return None, f"--kpi {text!r}: {name!r} is not one of {', '.join(KPI_NAMES)}"
    return {"name": name, "target": float(match["target"].replace(",", "")), "year": int(match["year"])}, None


def _date(text: str, option: str, problems: list[str]) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except (TypeError, ValueError):
        problems.append(f"{option} {text!r}: give a date as YYYY-MM-DD")
        return ""


def check_submission(sub: Submission) -> tuple[str, list[dict], list[str]]:
    """(prefecture code, KPI targets, problems) of the options alone."""
    problems: list[str] = []
    code = prefecture_code(sub.prefecture)
    if code is None:
        problems.append(f"--prefecture {sub.prefecture!r}: give the JIS X 0401 code 01–47")
    if sub.municipality is not None and not (
        re.fullmatch(r"[0-9]{6}", sub.municipality) and code and sub.municipality[:2] == code
    ):
        problems.append(
            f"--municipality {sub.municipality!r}: give the 6-digit 全国地方公共団体コード of a municipality "
            f"of prefecture {code or sub.prefecture}, e.g. 131016"
        )
    for option, value in (("--title", sub.title), ("--focus", sub.focus)):
        if not (value or "").strip():
            problems.append(f"{option}: must not be empty")
    start = _date(sub.valid_from, "--from", problems)
    end = _date(sub.valid_to, "--to", problems)
    if start and end and start > end:
        problems.append(f"--from {start} is after --to {end}")
    targets = []
    for text in sub.kpis:
        target, problem = parse_kpi(text)
        if problem:
            problems.append(problem)
        else:
            targets.append(target)
    return code or "", targets, problems


def submit(paths: Paths, store: PlanStore, sub: Submission, by: str | None = None):
    """Verify and record a plan or a new revision; returns (plan id, revision, designations)."""
    code, targets, problems = check_submission(sub)
    firms = None
    try:
        firms = read_firms_file(sub.firms)
    except Exception as e:  # FirmsFileError: every problem of the file, beside the options'
        problems += getattr(e, "problems", [str(e)])
    if sub.plan_id is not None and not problems:
        try:
            owner = store.revision(sub.plan_id).prefecture_code
        except StoreError as e:
            problems.append(str(e))
        else:
            if owner != code:
                problems.append(f"--plan {sub.plan_id} is prefecture {owner}'s plan, not {code}'s")
    if problems:
        raise PlanError(problems)
    release = reference_release(paths.marts_dir, sub.year)
    verdicts = verify(paths, code, firms, release)
    verdicts = with_flags(verdicts, store.designated_elsewhere(code, [d.firm_id for d in verdicts]))
    fields = {
        "title": sub.title.strip(),
        "focus": sub.focus.strip(),
        "valid_from": dt.date.fromisoformat(sub.valid_from).isoformat(),
        "valid_to": dt.date.fromisoformat(sub.valid_to).isoformat(),
        "reference_year": release.fiscal_year,
        "release_id": release.release_id,
        "release_manifest_sha256": release.manifest_sha256,
        "firms_file": str(firms.path),
        "firms_file_sha256": firms.sha256,
        "kpi_targets": targets,
        "reason": sub.reason,
    }
    try:
        plan_id, revision = store.record_revision(sub.plan_id, code, sub.municipality, fields, verdicts, by)
    except StoreError as e:
        raise PlanError([str(e)]) from None
    return plan_id, revision, verdicts


def approve(
    store: PlanStore, plan_id: str, revision: int, reason: str, exclude: list[str], by: str | None = None
) -> list[Designation]:
    """Approve a submitted revision; refused while a firm that is not excluded fails. `exclude`
    names firms by 法人番号, or a 個人 by its vendor code; the firm ids are recorded. Returns the
    firms approved."""
    if not (reason or "").strip():
        raise PlanError(["--reason: say why (it is recorded with the approval)"])
    try:
        designations = store.designations(plan_id, revision)
        state = store.revision(plan_id, revision).status
    except StoreError as e:
        raise PlanError([str(e)]) from None
    ids = {d.firm_id for d in designations}
    excluded, problems = [], []
    for text in exclude:
        given = unicodedata.normalize("NFKC", text).strip()
        chosen = _excluded_firm(given, ids)
        if chosen is None:
            problem = corporate_number_problem(given) or "not designated by this revision"
            if any(i.startswith("vendor:") for i in ids):
                problem += " (nor the vendor code of a 個人 it designates)"
            problems.append(f"--exclude {given}: {problem}")
        else:
            excluded.append(chosen)
    problems += [
        f"{d.label} {d.name or ''}: {d.reason}; "
        f"fix the plan, or approve with --exclude {d.corporate_number or d.vendor_code}"
        for d in designations
        if not d.passed and d.firm_id not in excluded
    ]
    if state != "submitted":
        problems.insert(
            0, f"revision {revision} of plan {plan_id} is {state}; only a submitted one can be approved"
        )
    if problems:
        raise PlanError(problems)
    try:
        store.record_decision(plan_id, revision, "approved", reason.strip(), sorted(set(excluded)), by)
    except StoreError as e:
        raise PlanError([str(e)]) from None
    return [d for d in designations if d.firm_id not in excluded]


def _excluded_firm(given: str, ids: set[str]) -> str | None:
    """The firm id an --exclude names: a 法人番号, or a 個人's vendor code (or its firm id)."""
    for candidate in (given, f"vendor:{given}"):
        if candidate in ids:
            return candidate
    return None


def return_plan(store: PlanStore, plan_id: str, revision: int, reason: str, by: str | None = None) -> None:
    """Send a submitted revision back to its prefecture, with why."""
    if not (reason or "").strip():
        raise PlanError(["--reason: say why (the prefecture sees it)"])
    try:
        store.record_decision(plan_id, revision, "returned", reason.strip(), None, by)
    except StoreError as e:
        raise PlanError([str(e)]) from None
