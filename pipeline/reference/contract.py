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


OPERATING_PROFIT_COLUMNS = ("operating_profit_jpy_y0", "operating_profit_jpy_y1", "operating_profit_jpy_y2")
EMPLOYEES_COLUMNS = ("employees_y0", "employees_y1", "employees_y2")
MULTI_YEAR_COLUMNS = OPERATING_PROFIT_COLUMNS + EMPLOYEES_COLUMNS

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
    # jsic_major (JSIC 中分類, 2 digits) is the policy indicators' extension, for the legal size class;
    # the multi-year columns are the composite score's (y0 = this fiscal year); average_wage_jpy
    # is the plans' 賃上げ KPI's (pipeline/designations/kpis.py); vendor_code and legal_form are the
    # firm-identity extension (a 個人 firm has no 法人番号 and is keyed by the vendor's code).
    optional=(
        "capital_jpy",
        "export_sales_jpy",
        "jsic_major",
        *MULTI_YEAR_COLUMNS,
        "average_wage_jpy",
        "vendor_code",
        "legal_form",
    ),
)

TRANSACTIONS = InputSpec(
    kind="transactions",
    required=("supplier_corporate_number", "customer_corporate_number", "amount_jpy"),
    # Per side, the 法人番号 if the cell holds one, else the vendor's firm code.
    optional=("supplier_vendor_code", "customer_vendor_code"),
)

# The firms' legal forms: a 法人 has a 法人番号; a 個人 (sole proprietor) has none and is keyed by
# its vendor_code. An empty legal_form means 法人.
LEGAL_FORMS = ("法人", "個人")

# Contract §2, in the order the checks run.
QUARANTINE_REASONS = (
    "invalid_corporate_number",
    "duplicate_firm",
    "invalid_legal_form",
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

# The legal size classes a firm can have ('unknown' where the data cannot decide).
SIZE_CLASSES = ("小規模企業者", "中小企業者", "中堅企業", "大企業", "unknown")

# The policy indicators' extension of the published lists: appended after the contract's columns, never
# in place of one. Definitions are in the README.
INDICATOR_COLUMNS = (
    "size_class",
    "size_class_reason",
    "in_prefecture_procurement_share",
    "top_customer_share",
    "customer_hhi",
    "in_prefecture_customers",
    "out_of_prefecture_customers",
    "in_prefecture_suppliers",
    "out_of_prefecture_suppliers",
)
# The composite score's extension, after the policy indicators': the 地域未来牽引企業 method's score, its
# rank in the prefecture, why a firm has none, and whether it is in the rule's top N.
COMPOSITE_COLUMNS = ("composite_score", "composite_rank", "composite_reason", "meets_composite")
# The firm-identity extension, last: the vendor's firm code (the key of a firm without a 法人番号,
# whose corporate_number is empty) and the legal form.
IDENTITY_COLUMNS = ("vendor_code", "legal_form")
PUBLISHED_CANDIDATE_COLUMNS = CANDIDATE_COLUMNS + INDICATOR_COLUMNS + COMPOSITE_COLUMNS + IDENTITY_COLUMNS
# The register's extension of firm_degrees, after the identity columns: the rule's register test
# (false only under register_policy exclude_closed / register_prefecture) and the 国税庁
# register's closure it tested (empty when the register does not show the firm closed).
REGISTER_COLUMNS = ("meets_register", "register_close_date", "register_close_cause")
PUBLISHED_FIRM_DEGREE_COLUMNS = (
    FIRM_DEGREE_COLUMNS + INDICATOR_COLUMNS + COMPOSITE_COLUMNS + IDENTITY_COLUMNS + REGISTER_COLUMNS
)
