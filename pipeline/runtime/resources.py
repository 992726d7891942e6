"""Resources every asset shares: the folders it reads and writes, and the recorded rules
(the warehouse is pipeline/warehouse/connection.py, the quality policy pipeline/quality/policy.py)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipeline.registry.rule import YearRule
from pipeline.registry.store import Registry


class DataFolders(dg.ConfigurableResource):
    """The raw input folder and the published marts folder."""

    raw_dir: str
    marts_dir: str

    @property
    def raw(self) -> Path:
        return Path(self.raw_dir)

    @property
    def marts(self) -> Path:
        return Path(self.marts_dir)


class RecordedRules(dg.ConfigurableResource):
    """The registry's rule of each fiscal year: what every run uses, however it was launched."""

    registry_path: str

    @property
    def registry(self) -> Registry:
        return Registry(Path(self.registry_path))

    def rule_of(self, fiscal_year: int) -> YearRule:
        return self.registry.current_rule(fiscal_year)
