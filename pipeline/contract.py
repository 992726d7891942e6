"""The data contract (shared/spec/data-contract.md) as constants the code can share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputSpec:
    """One input file kind: its base name and its required and optional columns."""

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


FIRMS = InputSpec(
    kind="firms",
    required=(
        "corporate_number",
        "name",
        "prefecture_code",
        "jsic_division",
        "sales_jpy",
        "employees",
    ),
    optional=("capital_jpy", "export_sales_jpy"),
)

TRANSACTIONS = InputSpec(
    kind="transactions",
    required=("supplier_corporate_number", "customer_corporate_number", "amount_jpy"),
)

# Contract §2, in the order the checks run.
QUARANTINE_REASONS = (
    "invalid_corporate_number",
    "duplicate_firm",
    "invalid_prefecture",
    "invalid_industry",
    "invalid_number",
    "invalid_export_sales",
    "self_transaction",
    "unknown_supplier",
    "unknown_customer",
    "invalid_amount",
    "duplicate_row",
    "conflicting_pair",
)

# Contract §5: published column order.
CANDIDATE_COLUMNS = (
    "fiscal_year",
    "prefecture_code",
    "prefecture_name",
    "corporate_number",
    "name",
    "jsic_division",
    "sales_jpy",
    "employees",
    "out_of_prefecture_sales_jpy",
    "in_prefecture_purchases_jpy",
    "connector_degree",
    "hub_degree",
    "connector_rank",
    "hub_rank",
    "meets_connector",
    "meets_hub",
)

FIRM_DEGREE_COLUMNS = tuple(c for c in CANDIDATE_COLUMNS if c != "prefecture_name") + ("is_candidate",)
