"""(c) Contract §3 the way an analyst would write it in pandas, for the benchmark.

    python -m bench.pandas_degrees FIRMS.parquet TRANSACTIONS.parquet OUT.parquet

Read both files, merge each side's prefecture onto the transactions, sum the
out-of-prefecture sales and in-prefecture purchases per firm, merge them back onto
the firms, divide by the prefecture totals and write Parquet. No row loops. A firm is its
法人番号, or a 個人 (no number) its vendor code, on both sides of a transaction.
"""

from __future__ import annotations

import sys

import pandas as pd

FLOWS = ["out_of_prefecture_sales_jpy", "in_prefecture_purchases_jpy"]


def _firm_id(numbers: pd.Series, codes: pd.Series) -> pd.Series:
    return numbers.fillna("vendor:" + codes)


def _with_prefecture(transactions: pd.DataFrame, firms: pd.DataFrame, side: str) -> pd.DataFrame:
    """Add `<side>_id` and `<side>_prefecture` to the transactions (side: supplier or customer)."""
    transactions[f"{side}_id"] = _firm_id(
        transactions[f"{side}_corporate_number"], transactions[f"{side}_vendor_code"]
    )
    lookup = firms[["firm_id", "prefecture_code"]].rename(
        columns={"firm_id": f"{side}_id", "prefecture_code": f"{side}_prefecture"}
    )
    return transactions.merge(lookup, on=f"{side}_id", how="inner")


def degrees(firms_path: str, transactions_path: str) -> pd.DataFrame:
    """Per firm: both flows and both degrees; a degree is null where its prefecture total is 0."""
    columns = ["corporate_number", "vendor_code", "prefecture_code", "export_sales_jpy"]
    firms = pd.read_parquet(firms_path, columns=columns)
    firms["firm_id"] = _firm_id(firms["corporate_number"], firms["vendor_code"])
    transactions = pd.read_parquet(transactions_path)
    transactions = _with_prefecture(transactions, firms, "supplier")
    transactions = _with_prefecture(transactions, firms, "customer")
    within = transactions["supplier_prefecture"] == transactions["customer_prefecture"]

    out_sales = transactions[~within].groupby("supplier_id")["amount_jpy"].sum()
    in_purchases = transactions[within].groupby("customer_id")["amount_jpy"].sum()
    firms = firms.merge(out_sales.rename(FLOWS[0]), left_on="firm_id", right_index=True, how="left").merge(
        in_purchases.rename(FLOWS[1]), left_on="firm_id", right_index=True, how="left"
    )
    firms[FLOWS] = firms[FLOWS].fillna(0).astype("int64")
    firms[FLOWS[0]] += firms["export_sales_jpy"].fillna(0).astype("int64")

    totals = firms.groupby("prefecture_code")[FLOWS].sum()
    firms = firms.merge(totals, left_on="prefecture_code", right_index=True, suffixes=("", "_total"))
    for degree, flow in (("connector_degree", FLOWS[0]), ("hub_degree", FLOWS[1])):
        total = firms[f"{flow}_total"]
        firms[degree] = firms[flow] / total.where(total > 0)
    return firms[
        ["corporate_number", "vendor_code", "prefecture_code", *FLOWS, "connector_degree", "hub_degree"]
    ]


def main(argv: list[str] | None = None) -> int:
    firms_path, transactions_path, out_path = sys.argv[1:] if argv is None else argv
    degrees(firms_path, transactions_path).to_parquet(out_path, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
