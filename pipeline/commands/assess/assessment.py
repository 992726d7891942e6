"""The assessment: the firm's rows replaced by its evidence, its prefecture's degrees recomputed
(contract §3), compared before and after."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipeline.commands.assess.decision import composite_ranking, verdict
from pipeline.commands.assess.errors import AssessmentError
from pipeline.commands.assess.evidence import Evidence
from pipeline.commands.explain import FirmAsked, firm_label
from pipeline.registry.rule import SelectionRule
from pipeline.stages.publication.manifest import MANIFEST
from pipeline.warehouse.connection import (
    fetch_records,
    run_sql,
    sql_parameters,
    sql_text,
)

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


@dataclass(frozen=True)
class Publication:
    """The live publication of a fiscal year, as its manifest.json identifies it."""

    manifest_path: Path
    manifest_sha256: str
    run_id: str | None
    manifest: dict[str, Any]


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


def _not_staged(con: duckdb.DuckDBPyConnection, asked: FirmAsked, fiscal_year: int) -> AssessmentError:
    who = firm_label(asked.corporate_number, asked.vendor_code)
    quarantined = [
        q
        for q in fetch_records(con, "explain/quarantined_rows", fiscal_year=fiscal_year, **asked.match())
        if q["kind"] == "firms"
    ]
    if quarantined:
        where = "; ".join(f"{q['source_file']} line {q['row_number']}: {q['reason']}" for q in quarantined)
        return AssessmentError(
            f"{who} is not a staged firm of fiscal year {fiscal_year}: its firms row was "
            f"quarantined ({where}); only a staged firm can be assessed — correct the firm's input row "
            "and re-run"
        )
    return AssessmentError(
        f"{who} is not a staged firm of fiscal year {fiscal_year}: it is not in the year's firms "
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


def firm_asked(asked: FirmAsked | str) -> FirmAsked:
    """The firm to assess: a 法人番号 as typed (it must be a valid one), or a FirmAsked by the
    vendor's code (a 個人, which has no 法人番号)."""
    asked = FirmAsked.of(asked)
    if asked.number_fault:
        raise AssessmentError(asked.number_fault)
    return asked


def assess(
    con: duckdb.DuckDBPyConnection,
    asked: FirmAsked | str,
    fiscal_year: int,
    evidence: Evidence,
    publication: Publication,
) -> dict[str, Any]:
    """The assessment of one nominated firm with its evidence (nothing is written here)."""
    asked = firm_asked(asked)
    recorded_rule = run_sql(con, "selection_rule", fiscal_year=fiscal_year).fetchall()
    if not recorded_rule:
        raise AssessmentError(
            f"the warehouse holds no selection for fiscal year {fiscal_year}; "
            f"run `python -m pipeline run --year {fiscal_year}` first"
        )
    rule = json.loads(recorded_rule[0][0])
    _check_warehouse_is_published(con, fiscal_year, rule, publication)
    rule = {**SelectionRule().model_dump(), **rule}  # a rule recorded before a field had its default
    firms = fetch_records(con, "assess/registered_firm", fiscal_year=fiscal_year, **asked.identity())
    if not firms:
        raise _not_staged(con, asked, fiscal_year)
    firm = firms[0]
    number, who = firm["corporate_number"], firm_label(firm["corporate_number"], firm["vendor_code"])
    vendor = fetch_records(con, "assess/vendor_figures", fiscal_year=fiscal_year, firm_id=firm["firm_id"])
    if not vendor:
        raise AssessmentError(
            f"{who} is staged but has no selection row for fiscal year {fiscal_year}; "
            f"re-run `python -m pipeline run --year {fiscal_year}`"
        )
    before = vendor[0]
    # The firm's keys in the warehouse: firm_id (its 法人番号, or 'vendor:' and the code of a
    # 個人) and firm_key, the integer the checked transactions name it by.
    keys = {
        "fiscal_year": fiscal_year,
        "firm_id": firm["firm_id"],
        "firm_key": firm["firm_key"],
        "prefecture": firm["prefecture"],
        "prefecture_code": firm["prefecture_code"],
    }
    _load_evidence(con, evidence)
    run_sql(con, "assess/counterparties", **keys)
    run_sql(con, "assess/adjusted_degrees", **keys)
    after = fetch_records(con, "assess/adjusted_figures", **keys)[0]
    figures = {**after, **{k: firm[k] for k in ("sales_jpy", "employees", "size_class")}}
    figures["register_close_date"] = before.get("register_close_date")  # evidence does not change it
    figures["composite"] = composite_ranking(con, rule, keys)
    decision = verdict(rule, figures, con)
    if decision["composite"] is not None:
        after.update(
            {k: decision["composite"][k] for k in ("composite_score", "composite_rank", "meets_composite")}
        )
    after.update(
        meets_size=decision["meets_size"],
        meets_size_class=decision["meets_size_class"],
        meets_register=decision["meets_register"],
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
        "vendor_code": firm["vendor_code"],
        "firm_id": firm["firm_id"],
        "firm": {k: v for k, v in firm.items() if k not in ("prefecture", "firm_key")},
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
