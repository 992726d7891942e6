"""The selection rule for 重点支援企業候補 (contract §4), set through Dagster run config."""

from __future__ import annotations

import json

import dagster as dg
from pydantic import field_validator

from pipeline.contract import SIZE_CLASSES


class SelectionRule(dg.Config):
    """A firm is a candidate when it passes the size test and the degree test, and (when the
    rule restricts them) its legal size class is not excluded."""

    min_sales_jpy: int = 1_000_000_000
    min_employees: int = 20
    min_connector_degree: float = 0.001
    min_hub_degree: float = 0.001
    excluded_size_classes: list[str] = []

    @field_validator("excluded_size_classes")
    @classmethod
    def _known_size_classes(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in SIZE_CLASSES]
        if unknown:
            raise ValueError(f"unknown size class {unknown}; choose from {', '.join(SIZE_CLASSES)}")
        return sorted(set(value), key=SIZE_CLASSES.index)

    def as_json(self) -> str:
        """The rule as canonical JSON, recorded with every publication."""
        return json.dumps(self.model_dump(), sort_keys=True, ensure_ascii=False)

    def describe(self) -> str:
        """The rule in one line a person can read."""
        text = (
            f"sales_jpy ≥ {self.min_sales_jpy:,} and employees ≥ {self.min_employees:,}, "
            f"and (connector_degree ≥ {self.min_connector_degree:g} "
            f"or hub_degree ≥ {self.min_hub_degree:g})"
        )
        if self.excluded_size_classes:
            text += f", size class not {' / '.join(self.excluded_size_classes)}"
        return text
