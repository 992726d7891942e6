"""The Dagster asset `ichiran`: the 重点支援企業一覧, one materialisation per published version.

It is not part of the per-year `candidate_lists` job (it is unpartitioned and made from the plans
store, not from a year's files): `python -m pipeline ichiran publish` publishes and records the
materialisation, and the job `ichiran_publication` (config: `effective`) does the same from the UI.
Its lineage rests on `published_lists` (the candidate releases the plans were verified on); the
metadata names those releases and the assessments, counts per prefecture, and what was added and
removed since the previous version.
"""

# No `from __future__ import annotations`: Dagster reads the config and resource annotations at runtime.

from dataclasses import replace

import dagster as dg

from pipeline.designations.publish import Version
from pipeline.runtime.resources import DataFolders
from pipeline.settings import Paths

ASSET = "ichiran"
JOB = "ichiran_publication"


class IchiranConfig(dg.Config):
    effective: str  # YYYY-MM-DD from which the new version is the 一覧


def _table(rows: list[dict]) -> str:
    if not rows:
        return "none"
    lines = ["| 法人番号 | 商号 | 都道府県 | 計画 |", "|---|---|---|---|"]
    lines += [
        f"| {r['corporate_number'] or '企業コード ' + str(r.get('vendor_code'))} | {r['name']} "
        f"| {r['prefecture_code']} | {r['plan_id']} |"
        for r in rows
    ]
    return "\n".join(lines)


def version_metadata(version: Version, manifest: dict) -> dict:
    """What the UI shows for a version: readable, and the same whichever way it was published."""
    inputs = manifest["inputs"]
    return {
        "ichiran_version": version.number,
        "effective_date": version.effective_date,
        "folder": dg.MetadataValue.path(str(version.folder)),
        "dagster/row_count": version.firms,
        "firms per prefecture": dg.MetadataValue.json(version.counts),
        "added since the previous version": len(version.added),
        "removed since the previous version": len(version.removed),
        "added": dg.MetadataValue.md(_table(version.added)),
        "removed": dg.MetadataValue.md(_table(version.removed)),
        "plans": dg.MetadataValue.json(
            [{k: p[k] for k in ("plan_id", "revision", "approved_at")} for p in inputs["plans"]]
        ),
        "candidate releases": dg.MetadataValue.json(inputs["releases"]),
        "assessments": dg.MetadataValue.json(
            [{k: a[k] for k in ("corporate_number", "assessment_sha256")} for a in inputs["assessments"]]
        ),
    }


def report_materialisation(instance: dg.DagsterInstance, version: Version, manifest: dict) -> None:
    """Record a version published outside a run (the command line) as a materialisation."""
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=ASSET, metadata=version_metadata(version, manifest))
    )


def record_in_dagster(paths: Paths, version: Version) -> None:
    """The command line's publication, as a materialisation in the instance of DAGSTER_HOME."""
    import json
    import os
    from pathlib import Path

    from pipeline.orchestration.automation import write_instance_config

    os.environ.setdefault("DAGSTER_HOME", str(paths.dagster_home))
    write_instance_config(Path(os.environ["DAGSTER_HOME"]))
    manifest = json.loads((version.folder / "manifest.json").read_text(encoding="utf-8"))
    report_materialisation(dg.DagsterInstance.get(), version, manifest)


@dg.asset(
    name=ASSET,
    group_name="ichiran",
    kinds={"sqlite", "parquet", "xlsx"},
    deps=["published_lists"],
    description=(
        "重点支援企業一覧: the versioned public list of designated firms, made from every approved "
        "plan's latest approved revision (plans store), verified on the candidate releases of "
        "published_lists; each materialisation is one immutable version data/marts/ichiran/v<NNNN>/."
    ),
)
def ichiran(
    context: dg.AssetExecutionContext, config: IchiranConfig, folders: DataFolders
) -> dg.MaterializeResult:
    """Publish the next version of the 一覧, in force from `config.effective` (see pipeline/designations)."""
    import datetime as dt
    import json

    from pipeline.designations.kpis import write_plan_kpis
    from pipeline.designations.publish import PublishError, publish
    from pipeline.designations.store import PlanStore

    paths = replace(Paths.from_env(), marts_dir=folders.marts, raw_dir=folders.raw)
    store = PlanStore()
    try:
        version = publish(
            paths, store, dt.date.fromisoformat(config.effective), f"dagster run {context.run_id[:8]}",
            lambda folder, revisions: write_plan_kpis(paths, folder, revisions, store),
        )  # fmt: skip
    except PublishError as e:
        raise dg.Failure(description=str(e)) from None
    manifest = json.loads((version.folder / "manifest.json").read_text(encoding="utf-8"))
    return dg.MaterializeResult(metadata=version_metadata(version, manifest))


ichiran_publication = dg.define_asset_job(
    JOB,
    selection=[ASSET],
    description="Publish the next version of the 重点支援企業一覧 (config: effective).",
)
