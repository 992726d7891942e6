"""Contract §3 and §4 recomputed in plain Python from the input CSVs: what the pipeline's
published degrees are compared with."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

RULE = {"min_sales_jpy": 1_000_000_000, "min_employees": 20, "min_degree": 0.001}


def firm_key(number: str | None, code: str | None) -> str:
    """A firm by its 法人番号, or a 個人 (no number) by its vendor code."""
    return number or f"vendor:{code}"


def independent_degrees(folder: Path, head_offices: Mapping[str, str] | None = None) -> dict[str, dict]:
    """Contract §3 and §4 computed from the CSV files with no SQL; a 個人 is known by its code.
    `head_offices` moves firms (by 法人番号) to another prefecture, as a register would."""
    with (folder / "firms.csv").open(encoding="utf-8-sig", newline="") as f:
        firms = {firm_key(row["corporate_number"], row["vendor_code"]): row for row in csv.DictReader(f)}
    for number, prefecture in (head_offices or {}).items():
        firms[number] = {**firms[number], "prefecture_code": prefecture}
    out_sales = {n: int(r["export_sales_jpy"] or 0) for n, r in firms.items()}
    in_purchases = dict.fromkeys(firms, 0)
    with (folder / "transactions.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            supplier = firm_key(row["supplier_corporate_number"], row["supplier_vendor_code"])
            customer = firm_key(row["customer_corporate_number"], row["customer_vendor_code"])
            amount = int(row["amount_jpy"])
            if firms[supplier]["prefecture_code"] != firms[customer]["prefecture_code"]:
                out_sales[supplier] += amount
            else:
                in_purchases[customer] += amount
    out_total, in_total = defaultdict(int), defaultdict(int)
    for n, r in firms.items():
        out_total[r["prefecture_code"]] += out_sales[n]
        in_total[r["prefecture_code"]] += in_purchases[n]
    result = {}
    for n, r in firms.items():
        p = r["prefecture_code"]
        connector = out_sales[n] / out_total[p] if out_total[p] else None
        hub = in_purchases[n] / in_total[p] if in_total[p] else None
        big = int(r["sales_jpy"]) >= RULE["min_sales_jpy"] and int(r["employees"]) >= RULE["min_employees"]
        degree_test = (connector or 0) >= RULE["min_degree"] or (hub or 0) >= RULE["min_degree"]
        result[n] = {
            "connector_degree": connector,
            "hub_degree": hub,
            "out": out_sales[n],
            "in": in_purchases[n],
            "is_candidate": big and degree_test,
        }
    return result
