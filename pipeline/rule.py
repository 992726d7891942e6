"""The selection rule for 重点支援企業候補 (contract §4), set through Dagster run config."""

from __future__ import annotations

import json

import dagster as dg


class SelectionRule(dg.Config):
    """A firm is a candidate when it passes the size test and the degree test."""

    min_sales_jpy: int = 1_000_000_000
    min_employees: int = 20
    min_connector_degree: float = 0.001
    min_hub_degree: float = 0.001

    def as_json(self) -> str:
        """The rule as canonical JSON, recorded with every publication."""
        return json.dumps(self.model_dump(), sort_keys=True)

    def describe(self) -> str:
        """The rule in one line a person can read."""
        return (
            f"sales_jpy ≥ {self.min_sales_jpy:,} and employees ≥ {self.min_employees:,}, "
            f"and (connector_degree ≥ {self.min_connector_degree:g} "
            f"or hub_degree ≥ {self.min_hub_degree:g})"
        )
