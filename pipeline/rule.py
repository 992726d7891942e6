"""The selection rule for 重点支援企業候補 (contract §4), set through Dagster run config."""

from __future__ import annotations

import json
from typing import Literal

import dagster as dg
from pydantic import Field, field_validator, model_validator

from pipeline.contract import SIZE_CLASSES


class CompositeWeights(dg.Config):
    """Weights of the composite score's six T-scores (issue 8); defaults are METI's FY2019
    地域未来牽引企業 method. The score is Σ weight × T ÷ Σ weight, so only their ratios matter."""

    connector_degree: float = Field(default=0.15, ge=0, allow_inf_nan=False)
    hub_degree: float = Field(default=0.15, ge=0, allow_inf_nan=False)
    profit_contribution: float = Field(default=0.15, ge=0, allow_inf_nan=False)
    employment_contribution: float = Field(default=0.15, ge=0, allow_inf_nan=False)
    profit_growth: float = Field(default=0.20, ge=0, allow_inf_nan=False)
    employment_growth: float = Field(default=0.20, ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _some_weight(self) -> CompositeWeights:
        if sum(self.model_dump().values()) <= 0:
            raise ValueError("at least one composite weight must be positive")
        return self


class SelectionRule(dg.Config):
    """A firm is a candidate when it passes the size test and, with selection 'thresholds', the
    degree test, or with 'composite_top_n', ranks in its prefecture's top N by composite score
    among the firms that pass the size test; and (when the rule restricts them) its legal size
    class is not excluded."""

    min_sales_jpy: int = 1_000_000_000
    min_employees: int = 20
    min_connector_degree: float = Field(default=0.001, allow_inf_nan=False)
    min_hub_degree: float = Field(default=0.001, allow_inf_nan=False)
    excluded_size_classes: list[str] = []
    selection: Literal["thresholds", "composite_top_n"] = "thresholds"
    top_n_per_prefecture: int = Field(default=10, ge=1)
    composite_weights: CompositeWeights = CompositeWeights()

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

    def sql_parameters(self) -> dict:
        """The rule as flat SQL parameters: each weight as weight_<indicator>."""
        flat = self.model_dump(exclude={"composite_weights"})
        flat.update({f"weight_{k}": v for k, v in self.composite_weights.model_dump().items()})
        return flat

    def describe(self) -> str:
        """The rule in one line a person can read."""
        size = f"sales_jpy ≥ {self.min_sales_jpy:,} and employees ≥ {self.min_employees:,}"
        if self.selection == "composite_top_n":
            weights = ", ".join(f"{k} {v:g}" for k, v in self.composite_weights.model_dump().items())
            text = (
                f"{size}, and top {self.top_n_per_prefecture} per prefecture by composite score ({weights})"
            )
        else:
            text = (
                f"{size}, and (connector_degree ≥ {self.min_connector_degree:g} "
                f"or hub_degree ≥ {self.min_hub_degree:g})"
            )
        if self.excluded_size_classes:
            text += f", size class not {' / '.join(self.excluded_size_classes)}"
        return text
