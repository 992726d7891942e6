"""The selection rule for 重点支援企業候補 (contract §4), recorded per fiscal year (registry/store.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from pipeline.reference.contract import SIZE_CLASSES
from pipeline.registry.amounts import AmountRule
from pipeline.registry.model import RecordedModel

BIGINT_MAX = 2**63 - 1


class CompositeWeights(RecordedModel):
    """Weights of the composite score's six T-scores; defaults are METI's FY2019
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


class SelectionRule(RecordedModel):
    """A firm is a candidate when it passes the size test and, with selection 'thresholds', the
    degree test, or with 'composite_top_n', ranks in its prefecture's top N by composite score
    among the firms that pass the size test; and (when the rule restricts them) its legal size
    class is not excluded; and (register_policy exclude_closed or register_prefecture) the 国税庁
    register does not show it closed. register_prefecture also puts each firm in the register's
    head-office prefecture where the vendor's differs, at staging, so every degree follows it."""

    # Bounded to the warehouse's BIGINT and to what a share can be: a rule outside them is
    # refused before anything runs, never published.
    min_sales_jpy: int = Field(default=1_000_000_000, ge=0, le=BIGINT_MAX)
    min_employees: int = Field(default=20, ge=0, le=BIGINT_MAX)
    min_connector_degree: float = Field(default=0.001, ge=0, le=1, allow_inf_nan=False)
    min_hub_degree: float = Field(default=0.001, ge=0, le=1, allow_inf_nan=False)
    excluded_size_classes: list[str] = []
    selection: Literal["thresholds", "composite_top_n"] = "thresholds"
    top_n_per_prefecture: int = Field(default=10, ge=1, le=BIGINT_MAX)
    composite_weights: CompositeWeights = CompositeWeights()
    # What the 国税庁 register does, each policy stricter than the last (docs/register.md): report
    # (flags only), exclude_closed (a firm the register shows closed is not a candidate),
    # register_prefecture (that, and the register's head office where the vendor's differs).
    register_policy: Literal["report", "exclude_closed", "register_prefecture"] = "report"

    @property
    def uses_register_prefecture(self) -> bool:
        return self.register_policy == "register_prefecture"

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
        if self.register_policy != "report":
            text += ", not closed in the 国税庁 register"
        if self.uses_register_prefecture:
            text += "; head office as the 国税庁 register gives it"
        return text


TOLERANCE_PLACES = 6  # the tolerance is compared exactly, in millionths


class YearRule(RecordedModel):
    """Everything that decides a fiscal year's publication besides its inputs and the code: the
    selection rule, how amounts are read, and the quarantine tolerance. It is recorded state
    (pipeline/registry/store.py), not a run flag: a plain run, the sensor, the schedule and a launch
    from the UI all use the year's current rule, and changing it is an explicit, recorded act."""

    selection: SelectionRule = SelectionRule()
    amounts: AmountRule = AmountRule()
    # Text, so that it is compared exactly: '0.01', never a rounded float.
    quarantine_tolerance: str = "0.01"

    @field_validator("quarantine_tolerance", mode="before")
    @classmethod
    def _exact_share(cls, value: object) -> str:
        try:
            share = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError("must be a number between 0 and 1, e.g. 0.01") from None
        if not share.is_finite() or not 0 <= share <= 1:
            raise ValueError("must be a number between 0 and 1, e.g. 0.01")
        if share != share.quantize(Decimal(1).scaleb(-TOLERANCE_PLACES)):
            raise ValueError(f"has more than {TOLERANCE_PLACES} decimal places")
        return format(share.normalize(), "f") if share else "0"

    @property
    def tolerance_millionths(self) -> int:
        """The tolerance as an exact integer count of millionths, for the SQL gate."""
        return int(Decimal(self.quarantine_tolerance).scaleb(TOLERANCE_PLACES))

    def as_json(self) -> str:
        return json.dumps(self.model_dump(), sort_keys=True, ensure_ascii=False)

    def sha256(self) -> str:
        return hashlib.sha256(self.as_json().encode("utf-8")).hexdigest()

    def published_json(self) -> str:
        """rule.json of a release: the selection rule's keys as they always were, then the
        amount rule and the quarantine tolerance added beside them."""
        published = {
            **self.selection.model_dump(),
            "amounts": self.amounts.model_dump(),
            "quarantine_tolerance": self.quarantine_tolerance,
        }
        return json.dumps(published, sort_keys=True, ensure_ascii=False)

    def flat(self) -> dict[str, object]:
        """The rule as `name: value`, with the names of the command line's options."""
        selection = self.selection.model_dump(exclude={"composite_weights"})
        weights = {f"weight.{k}": v for k, v in self.selection.composite_weights.model_dump().items()}
        return {
            **selection,
            **weights,
            **self.amounts.model_dump(),
            "quarantine_tolerance": self.quarantine_tolerance,
        }

    def with_changes(self, changes: Mapping[str, object]) -> YearRule:
        """A new rule: this one with `changes` (flat names, as `flat` gives them) applied;
        pydantic's ValidationError for a bad value."""
        selection = self.selection.model_dump()
        amounts = self.amounts.model_dump()
        tolerance: object = self.quarantine_tolerance
        for name, value in changes.items():
            if name.startswith("weight."):
                selection["composite_weights"][name.removeprefix("weight.")] = value
            elif name in amounts:
                amounts[name] = value
            elif name == "quarantine_tolerance":
                tolerance = value
            elif name in selection:
                selection[name] = value
            else:
                raise KeyError(name)
        return YearRule(selection=selection, amounts=amounts, quarantine_tolerance=tolerance)

    def differences(self, other: YearRule) -> list[str]:
        """What changes from this rule to `other`, one `name old → new` a line."""
        before, after = self.flat(), other.flat()
        return [f"{k} {_shown(before[k])} → {_shown(after[k])}" for k in before if before[k] != after[k]]


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def rule_errors(error: ValidationError) -> list[str]:
    """One line per bad value of a rule, naming the option."""
    lines = []
    for problem in error.errors():
        location = [str(part) for part in problem["loc"] if part not in ("selection", "amounts")]
        name = ".".join(location).replace("composite_weights.", "weight.")
        lines.append(f"{name}: {problem['msg']} (got {problem.get('input')!r})")
    return lines
