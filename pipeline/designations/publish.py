"""`ichiran publish`: version N of the 重点支援企業一覧, from every approved plan's latest
approved revision, and the history of every firm's designation across versions.

    data/marts/ichiran/v0001/ichiran.parquet, ichiran.csv (UTF-8 BOM), ichiran.xlsx, manifest.json,
                            plans/<plan_id>/kpis.csv
    data/marts/ichiran/history.parquet   (every firm's designation intervals, all versions)

A version is written whole into `ichiran/.drafts/`, renamed into place and made read-only: it is
never changed afterwards. history.parquet is rebuilt from every version's rows and swapped in.

A 個人 (a firm without a 法人番号, designated by its vendor code) has an empty corporate_number;
every row ends with the firm's vendor_code and legal_form, as the candidate lists do. Within a
version, and between versions, a firm is its firm id (the 法人番号, or 'vendor:' and the code).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.designations.spreadsheet import ichiran_xlsx
from pipeline.designations.store import PlanStore, Revision
from pipeline.reference.prefectures import PREFECTURES
from pipeline.registry.store import os_user, utc_now
from pipeline.runtime.release_folders import copy_bom_csv, copy_parquet
from pipeline.settings import Paths
from pipeline.stages.publication.manifest import code_commit
from pipeline.warehouse.connection import fetch_records, sql_text

ICHIRAN = "ichiran"
HISTORY = "history.parquet"
FILES = ("ichiran.parquet", "ichiran.csv", "ichiran.xlsx")

_DESIGNATED = pa.schema(
    [(c, pa.string()) for c in (
        "corporate_number", "name", "prefecture_code", "municipality_code", "plan_id", "plan_title",
        "focus", "basis", "valid_from", "valid_to", "release_id", "vendor_code", "legal_form", "firm_id",
    )] + [("plan_revision", pa.int32())]
)  # fmt: skip


class PublishError(Exception):
    """The version cannot be published; nothing was written."""


@dataclass(frozen=True)
class Version:
    number: int
    folder: Path
    effective_date: str
    firms: int
    added: list[dict]
    removed: list[dict]
    counts: dict[str, int]
    skipped: list[str]


def ichiran_dir(paths: Paths) -> Path:
    return paths.marts_dir / ICHIRAN


def version_folder(paths: Paths, number: int) -> Path:
    return ichiran_dir(paths) / f"v{number:04d}"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _designated(store: PlanStore, revisions: list[Revision]) -> pa.Table:
    rows = []
    for r in revisions:
        for d in store.designations(r.plan_id, r.revision):
            if d.passed and d.firm_id not in r.excluded:
                rows.append({
                    "corporate_number": d.corporate_number or None, "name": d.name,
                    "prefecture_code": r.prefecture_code, "municipality_code": r.municipality_code,
                    "plan_id": r.plan_id, "plan_title": r.title, "focus": r.focus, "basis": d.basis,
                    "valid_from": r.valid_from, "valid_to": r.valid_to, "release_id": d.release_id,
                    "vendor_code": d.vendor_code, "legal_form": d.legal_form, "firm_id": d.firm_id,
                    "plan_revision": r.revision,
                })  # fmt: skip
    return pa.Table.from_pylist(rows, schema=_DESIGNATED)


def _inputs(store: PlanStore, revisions: list[Revision]) -> dict:
    plans, releases, assessments = [], {}, []
    for r in revisions:
        approval = [e for e in r.events if e["action"] == "approved"][-1]
        plans.append({
            "plan_id": r.plan_id, "revision": r.revision, "prefecture_code": r.prefecture_code,
            "title": r.title, "approved_at": approval["at"], "approved_by": approval["by"],
            "approval_reason": approval["reason"], "excluded": r.excluded, "firms_file": r.firms_file,
            "firms_file_sha256": r.firms_file_sha256, "valid_from": r.valid_from, "valid_to": r.valid_to,
        })  # fmt: skip
        releases[r.release_id] = {
            "release_id": r.release_id,
            "fiscal_year": r.reference_year,
            "manifest_sha256": r.release_manifest_sha256,
        }
        for d in store.designations(r.plan_id, r.revision):
            if d.assessment_file and d.firm_id not in r.excluded:
                assessments.append({
                    "plan_id": r.plan_id, "corporate_number": d.corporate_number,
                    "assessment_file": d.assessment_file, "assessment_sha256": d.assessment_sha256,
                    "evidence_file": d.evidence_file, "evidence_sha256": d.evidence_sha256,
                })  # fmt: skip
    return {"plans": plans, "releases": sorted(releases.values(), key=lambda x: x["release_id"]),
            "assessments": assessments}  # fmt: skip


def _write_history(con: duckdb.DuckDBPyConnection, folder: Path, versions: list[tuple[int, str]], out: Path):
    """history.parquet from every version's rows (the new one's still in its draft)."""
    con.execute("create or replace temp table versions (version integer, effective_date date)")
    con.executemany("insert into versions values (?, ?)", versions)
    files = [str(out.parent / f"v{v:04d}" / "ichiran.parquet") for v, _ in versions[:-1]]
    files.append(str(folder / "ichiran.parquet"))
    con.register("version_rows", con.read_parquet(files, union_by_name=True))
    copy_parquet(con, sql_text("designations/history"), out)


def _read_only(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def publish(paths: Paths, store: PlanStore, effective: dt.date, by: str | None = None, kpis=None) -> Version:
    """Write version N of the 一覧 in force from `effective`; `kpis(folder, revisions)` may add the
    plans' KPI files to the draft before it is sealed."""
    previous = store.versions()
    if previous and effective.isoformat() <= previous[-1]["effective_date"]:
        raise PublishError(
            f"--effective {effective}: version {previous[-1]['version']} is in force from "
            f"{previous[-1]['effective_date']}; a new version must take effect later"
        )
    number = previous[-1]["version"] + 1 if previous else 1
    target = version_folder(paths, number)
    if target.exists():
        raise PublishError(f"{target} exists but the plans store does not know it; it is never overwritten")
    approved = store.approved_revisions()
    current = [r for r in approved if r.valid_to >= effective.isoformat()]
    skipped = [f"{r.plan_id} revision {r.revision}: ended {r.valid_to}" for r in approved if r not in current]
    draft = ichiran_dir(paths) / ".drafts" / target.name
    shutil.rmtree(draft, ignore_errors=True)
    draft.mkdir(parents=True)
    try:
        with duckdb.connect() as con:
            for name in ("firm_identity", "macros", "designations/macros"):
                con.execute(sql_text(name))
            con.register("designated", _designated(store, current))
            con.register("prefecture_names", pa.table({
                "prefecture_code": [p.code for p in PREFECTURES],
                "prefecture_name": [p.name for p in PREFECTURES],
            }))  # fmt: skip
            if previous:
                before = version_folder(paths, previous[-1]["version"]) / "ichiran.parquet"
                last = con.sql(sql_text("designations/previous_rows"), params={"path": str(before)})
                con.register("previous", last.to_arrow_table())
            else:
                con.execute(
                    "create temp table previous (firm_id varchar, plan_id varchar, designated_from date)"
                )
            params = {"version": number, "effective_date": effective}
            rows = con.sql(sql_text("designations/ichiran_rows"), params=params).to_arrow_table()
            con.register("ichiran", rows)
            copy_parquet(con, "select * from ichiran", draft / "ichiran.parquet")
            copy_bom_csv(con, sql_text("designations/ichiran_csv"), draft / "ichiran.csv")
            (draft / "ichiran.xlsx").write_bytes(
                ichiran_xlsx(rows, f"重点支援企業一覧 第{number}版（{effective}適用）", effective)
            )
            counts = {
                r["prefecture_code"]: r["firms"]
                for r in fetch_records(
                    con, "designations/counts_by_prefecture", path=str(draft / "ichiran.parquet")
                )
            }
            added, removed = [], []
            if previous:
                changes = fetch_records(
                    con, "designations/diff", a=str(before), b=str(draft / "ichiran.parquet")
                )
                added = [c for c in changes if c["change"] == "added"]
                removed = [c for c in changes if c["change"] == "removed"]
            else:
                added = [{"change": "added", **{k: r[k] for k in (
                    "corporate_number", "name", "prefecture_code", "prefecture_name", "plan_id", "plan_title",
                    "vendor_code", "legal_form",
                )}} for r in rows.to_pylist()]  # fmt: skip
            if kpis is not None:
                kpis(draft, current)
            history = ichiran_dir(paths) / f".{HISTORY}.pending"
            versions = [(v["version"], v["effective_date"]) for v in previous] + [
                (number, effective.isoformat())
            ]
            _write_history(con, draft, versions, history)
        manifest = {
            "ichiran_version": number,
            "effective_date": effective.isoformat(),
            "published_at": utc_now(),
            "published_by": by or os_user(),
            "previous_version": previous[-1]["version"] if previous else None,
            "firms": rows.num_rows,
            "counts_by_prefecture": counts,
            "added": added,
            "removed": removed,
            "skipped_plans": skipped,
            "inputs": _inputs(store, current),
            "code": code_commit(),
            "outputs": [
                {"file": str(p.relative_to(draft)), "bytes": p.stat().st_size, "sha256": _sha256(p)}
                for p in sorted(draft.rglob("*"))
                if p.is_file()
            ],
        }
        (draft / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n",
            encoding="utf-8",
        )
        _read_only(draft)
        os.replace(draft, target)
    except BaseException:
        shutil.rmtree(draft, ignore_errors=True)
        raise
    os.replace(history, ichiran_dir(paths) / HISTORY)
    store.record_version({
        "version": number, "effective_date": effective.isoformat(), "published_at": manifest["published_at"],
        "published_by": manifest["published_by"], "folder": str(target.relative_to(paths.marts_dir)),
        "manifest_sha256": _sha256(target / "manifest.json"), "firms": rows.num_rows,
    })  # fmt: skip
    return Version(number, target, effective.isoformat(), rows.num_rows, added, removed, counts, skipped)


def diff(paths: Paths, a: int, b: int) -> list[dict]:
    """Firms added and removed from version a to version b, with their plans."""
    files = [version_folder(paths, v) / "ichiran.parquet" for v in (a, b)]
    for v, f in zip((a, b), files, strict=True):
        if not f.is_file():
            raise PublishError(f"no version {v} of the 一覧 ({f} does not exist)")
    with duckdb.connect() as con:
        for name in ("firm_identity", "designations/macros"):
            con.execute(sql_text(name))
        return fetch_records(con, "designations/diff", a=str(files[0]), b=str(files[1]))
