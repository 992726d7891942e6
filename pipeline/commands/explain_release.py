"""`explain` answers for a release: the live one of a year, or an older one by its id.

The published list is the truth. The warehouse explains a release in full (input rows,
denominators, transactions) only while it holds exactly that release's state: the data versions
it holds for the assets explain reads equal the release manifest's. After a later or blocked
run it holds another state, so the answer is read from the release's own files instead
(firm_degrees.parquet, quarantine.parquet, rule.json): the same numbers as the published list,
without transaction-level detail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipeline.commands.explain import (
    CannotExplain,
    FirmAsked,
    explain,
    outcome,
    refuse_invalid,
    rule_parts_of,
)
from pipeline.reference.prefectures import PREFECTURE_NAMES
from pipeline.registry.store import Registry, Release
from pipeline.runtime.release_folders import live_release, release_folder_path
from pipeline.settings import Paths
from pipeline.stages.ingest.input_files import sha256_of
from pipeline.stages.publication.manifest import MANIFEST, read_manifest
from pipeline.warehouse.connection import Warehouse, fetch_records
from pipeline.warehouse.schema import load_macros
from pipeline.warehouse.versions import PARENTS, held_versions


def _with_ancestors(*assets: str) -> frozenset[str]:
    """The assets and every asset they are made from."""
    found: set[str] = set()
    pending = list(assets)
    while pending:
        asset = pending.pop()
        if asset not in found:
            found.add(asset)
            pending.extend(PARENTS[asset])
    return frozenset(found)


# What explain reads from the warehouse: the selection and everything it is made from, and the
# quarantine. Later assets (charts, the publication itself) do not change an explanation.
EXPLAINED_ASSETS = _with_ancestors("candidate_selection", "quarantined_firms", "quarantined_transactions")

FROM_WAREHOUSE, FROM_RELEASE_FILES = "warehouse", "release_files"


@dataclass(frozen=True)
class PublishedRelease:
    """A release folder, its manifest and its record in the registry (None if unrecorded)."""

    release_id: str
    fiscal_year: int
    folder: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    recorded: Release | None
    live: bool

    def file(self, name: str) -> str:
        return str(self.folder / name)

    @property
    def selection_rule(self) -> dict[str, Any]:
        """The selection rule the release was made under (rule.json, else the manifest's)."""
        rule = self.folder / "rule.json"
        if rule.is_file():
            published = json.loads(rule.read_text(encoding="utf-8"))
            return {k: v for k, v in published.items() if k not in ("amounts", "quarantine_tolerance")}
        return self.manifest["rule"]

    def header(self) -> dict[str, Any]:
        """What identifies the release and what it was made from, for every answer."""
        recorded = self.recorded
        return {
            "release_id": self.release_id,
            "fiscal_year": self.fiscal_year,
            "live": self.live,
            "dagster_run_id": self.manifest["dagster_run_id"],
            "manifest_sha256": self.manifest_sha256,
            # The registry recorded the manifest's hash when the release went live.
            "manifest_matches_registry": None
            if recorded is None
            else recorded.manifest_sha256 == self.manifest_sha256,
            "code": {"commit": self.manifest["code"]["commit"], "dirty": self.manifest["code"].get("dirty")},
            "inputs": [
                {"source_file": i["source_file"], "sha256": i["sha256"]} for i in self.manifest["inputs"]
            ],
            "rule_sha256": self.manifest["rule_sha256"],
            "candidates": self.manifest["candidates"],
            "published_at": recorded.published_at if recorded else None,
            "superseded_at": recorded.superseded_at if recorded else None,
        }


def _registry(paths: Paths) -> Registry | None:
    """The registry, if there is one: explain never creates it."""
    return Registry(paths.registry_path) if paths.registry_path.exists() else None


def _opened(folder: Path, recorded: Release | None, live: bool) -> PublishedRelease:
    manifest = read_manifest(folder)
    if manifest is None:
        raise CannotExplain(f"{folder} holds no {MANIFEST}")
    return PublishedRelease(
        folder.name,
        int(manifest["fiscal_year"]),
        folder,
        manifest,
        sha256_of(folder / MANIFEST),
        recorded,
        live,
    )


def release_by_id(paths: Paths, release_id: str) -> PublishedRelease:
    """A release named in the registry; CannotExplain when it is unknown or pruned."""
    registry = _registry(paths)
    recorded = registry.release(release_id) if registry is not None else None
    if recorded is None:
        raise CannotExplain(
            f"no release {release_id!r} in the registry ({paths.registry_path}); "
            "`python -m pipeline releases list` lists them"
        )
    folder = paths.marts_dir / recorded.folder
    if recorded.pruned_at is not None:
        raise CannotExplain(f"release {release_id} was pruned at {recorded.pruned_at}; its files are gone")
    if not folder.is_dir():
        raise CannotExplain(f"release {release_id}: its folder {folder} is missing")
    return _opened(folder, recorded, live_release(paths.marts_dir, recorded.fiscal_year) == release_id)


def live_releases(paths: Paths) -> list[PublishedRelease]:
    """Every fiscal year's live release, latest year first."""
    registry = _registry(paths)
    years = sorted((p.name for p in paths.marts_dir.glob("[0-9][0-9][0-9][0-9]")), reverse=True)
    releases = []
    for year in years:
        release = live_release(paths.marts_dir, int(year))
        if release is not None:
            recorded = registry.release(release) if registry is not None else None
            releases.append(_opened(release_folder_path(paths.marts_dir, release), recorded, live=True))
    return releases


def releases_to_search(
    paths: Paths, fiscal_year: int | None, release_id: str | None
) -> list[PublishedRelease]:
    """The release asked for, else the live release of the year asked for, else every live one
    (latest first); never an unpublished warehouse."""
    if release_id is not None:
        release = release_by_id(paths, release_id)
        if fiscal_year is not None and fiscal_year != release.fiscal_year:
            raise CannotExplain(
                f"release {release_id} is of fiscal year {release.fiscal_year}, not {fiscal_year}"
            )
        return [release]
    live = live_releases(paths)
    if fiscal_year is not None:
        live = [r for r in live if r.fiscal_year == fiscal_year]
        if not live:
            raise CannotExplain(
                f"fiscal year {fiscal_year} has no published release in {paths.marts_dir}: explain reads "
                "published releases only (the warehouse may hold an unpublished or blocked run)"
            )
    if not live:
        raise CannotExplain(
            f"no fiscal year is published in {paths.marts_dir}; run `python -m pipeline run` first"
        )
    return live


@contextmanager
def release_reader() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB with the project's macros, to read release files."""
    with duckdb.connect() as con:
        load_macros(con)
        yield con


def _release_rows(
    con: duckdb.DuckDBPyConnection, release: PublishedRelease, asked: FirmAsked
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The firm's published row and the quarantined rows carrying its number, from the files."""
    rule = release.selection_rule
    firm_degrees = release.file("firm_degrees.parquet")
    thresholds = {
        "min_sales_jpy": rule["min_sales_jpy"],
        "min_employees": rule["min_employees"],
        "excluded_size_classes": rule.get("excluded_size_classes", []),
    }
    firms = fetch_records(
        con,
        "explain/release_firm",
        firm_degrees=firm_degrees,
        corporate_number=asked.corporate_number,
        vendor_code=asked.vendor_code,
        **thresholds,
    )
    quarantined = fetch_records(
        con,
        "explain/release_quarantined_rows",
        quarantine=release.file("quarantine.parquet"),
        **asked.match(),
    )
    return firms, quarantined


def release_naming(
    con: duckdb.DuckDBPyConnection, releases: list[PublishedRelease], asked: FirmAsked
) -> PublishedRelease | None:
    """The first release whose files hold the firm or a quarantined row carrying its number."""
    for release in releases:
        if any(_release_rows(con, release, asked)):
            return release
    return None


def explain_from_files(
    con: duckdb.DuckDBPyConnection, release: PublishedRelease, asked: FirmAsked, all_transactions: bool
) -> dict[str, Any]:
    """The explanation from the release's own files: its numbers exactly, no transactions."""
    firms, quarantined = _release_rows(con, release, asked)
    answer = outcome(asked, release.fiscal_year, firms, quarantined)
    if not firms:
        return answer
    firm = {**firms[0], "prefecture_name": PREFECTURE_NAMES.get(firms[0]["prefecture_code"])}
    [prefecture] = fetch_records(
        con,
        "explain/release_prefecture",
        firm_degrees=release.file("firm_degrees.parquet"),
        prefecture_code=firm["prefecture_code"],
    )
    rule = release.selection_rule
    register = release.folder / "register_reconciliation.parquet"
    matches = (
        fetch_records(
            con,
            "explain/release_register_row",
            register_reconciliation=str(register),
            corporate_number=firm["corporate_number"],
        )
        if register.exists() and firm["corporate_number"] is not None
        else []
    )
    answer.update(
        firm=firm,
        prefecture={**prefecture, "prefecture_name": firm["prefecture_name"]},
        register=matches[0] if matches else None,
        rule=rule,
        rule_parts=rule_parts_of(firm, rule, con),
        # None, not []: not known from the files, rather than none.
        largest_out_of_prefecture_sales=None,
        largest_in_prefecture_purchases=None,
    )
    if all_transactions:
        answer["all_transactions"] = None
    return answer


def holds_release(con: duckdb.DuckDBPyConnection, release: PublishedRelease) -> bool:
    """Whether the warehouse holds exactly the release's state of what explain reads."""
    held = held_versions(con, release.fiscal_year)
    published = release.manifest.get("data_versions", {})
    return all(asset in published and held.get(asset) == published[asset] for asset in EXPLAINED_ASSETS)


@contextmanager
def warehouse_for(
    paths: Paths, release: PublishedRelease
) -> Iterator[tuple[duckdb.DuckDBPyConnection | None, str]]:
    """A warehouse connection when the warehouse holds the release's state, with the state:
    'holds_release', 'other_state', 'absent' or 'busy' (a run holds it)."""
    if not paths.duckdb_path.exists():
        yield None, "absent"
        return
    stack = ExitStack()
    try:
        con = stack.enter_context(Warehouse(path=str(paths.duckdb_path)).connect())
    except duckdb.IOException:  # a run holds the warehouse from its first step to its last
        con = None
    if con is None:
        yield None, "busy"
        return
    with stack:
        if holds_release(con, release):
            yield con, "holds_release"
            return
    yield None, "other_state"  # closed first: the answer comes from the release's files


def _rebuild_facts(paths: Paths, release: PublishedRelease) -> dict[str, bool]:
    """Whether a run of the year now would start from the release's inputs and rule."""
    inputs = release.manifest["inputs"]
    unchanged = all(
        (paths.raw_dir / i["source_file"]).is_file()
        and sha256_of(paths.raw_dir / i["source_file"]) == i["sha256"]
        for i in inputs
    )
    registry = _registry(paths)
    rule_sha256 = registry.current_rule(release.fiscal_year).sha256() if registry is not None else None
    return {"inputs_unchanged": unchanged, "rule_unchanged": rule_sha256 == release.manifest["rule_sha256"]}


def warehouse_note(paths: Paths, release: PublishedRelease, state: str) -> dict[str, Any]:
    """Why the answer comes from the release's files, and how to get the full detail back."""
    year = release.fiscal_year
    if state == "holds_release":
        return {"state": state, "note": None}
    if state == "busy":
        return {
            "state": state,
            "note": "ウェアハウスは使用中です（the warehouse is in use: is a run in progress?）。"
            "数値はリリースのファイルから示します。取引単位の明細は実行の終了後に見られます。",
        }
    facts = _rebuild_facts(paths, release)
    why = (
        f"ウェアハウスがありません（no warehouse at {paths.duckdb_path}）"
        if state == "absent"
        else f"ウェアハウスはこのリリースとは別の{year}年度の状態（後の実行、または止められた実行）を"
        "保持しています"
        "（the warehouse holds another state: a later or blocked run）"
    )
    now = (
        f"入力ファイル{'はリリースと同じ' if facts['inputs_unchanged'] else 'はリリースから変更あり'}、"
        f"ルール{'はリリースと同じ' if facts['rule_unchanged'] else 'はリリースから変更あり'}"
    )
    return {
        "state": state,
        "note": f"{why}。数値はリリースのファイルから示し、取引単位の明細はありません"
        "（transaction-level detail is not available）。"
        f"`python -m pipeline run --year {year}` で、入力ファイルとルールがリリースのままなら再構築できます"
        f"（現在: {now}）。",
        **facts,
    }


def explain_release(
    paths: Paths,
    asked: FirmAsked | str,
    fiscal_year: int | None = None,
    release_id: str | None = None,
    all_transactions: bool = False,
) -> dict[str, Any]:
    """Explain a firm for a release: `release_id`, else the live release of `fiscal_year`,
    else the latest live release that names the firm. The answer starts with the release's
    header and says whether its detail comes from the warehouse or from the release's files.
    `asked` is a 法人番号 as typed, or a FirmAsked (by vendor code)."""
    asked = FirmAsked.of(asked)
    releases = releases_to_search(paths, fiscal_year, release_id)
    with release_reader() as files:
        release = releases[0] if len(releases) == 1 else release_naming(files, releases, asked)
        if release is None:
            refuse_invalid(asked)  # a valid one is absent from every live release
            return {
                **asked.identity(),
                "status": "absent",
                "fiscal_year": None,
                "releases_searched": [r.release_id for r in releases],
            }
        with warehouse_for(paths, release) as (con, state):
            if con is not None:
                answer = explain(con, asked, release.fiscal_year, all_transactions)
            else:
                answer = explain_from_files(files, release, asked, all_transactions)
    return {
        "release": release.header(),
        "detail_from": FROM_WAREHOUSE if state == "holds_release" else FROM_RELEASE_FILES,
        "warehouse": warehouse_note(paths, release, state),
        **answer,
    }
