"""How transaction amounts are read, recorded with the year's rule and applied at staging.

Firm databases mostly list who trades with whom, not how much. With amount_mode 'estimate',
an empty amount is estimated from the two firms' sizes (estimate_amounts.sql) instead of
being quarantined as invalid_amount; 'require' (the default) keeps contract §2 as written.
"""

from __future__ import annotations

import json
import math
from typing import Literal

from pydantic import field_validator

from pipeline.registry.model import RecordedModel


class AmountRule(RecordedModel):
    """amount_mode 'require': every row states its amount. 'estimate': a supplier's domestic
    sales, less what its rows state, are apportioned over its customers without an amount in
    proportion to customer sales^estimate_beta."""

    amount_mode: Literal["require", "estimate"] = "require"
    estimate_beta: float = 1.0

    @field_validator("estimate_beta")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("estimate_beta must be a finite number")
        return value

    @property
    def estimating(self) -> bool:
        return self.amount_mode == "estimate"

    def as_json(self) -> str:
        """The rule as canonical JSON, recorded with the staged transactions."""
        return json.dumps(self.model_dump(), sort_keys=True)

    def describe(self) -> str:
        if not self.estimating:
            return "amounts required (an empty amount is invalid_amount)"
        return f"empty amounts estimated: domestic sales apportioned by customer sales^{self.estimate_beta:g}"


DEFAULT_AMOUNT_RULE_JSON = AmountRule().as_json()
