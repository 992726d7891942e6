"""Resources every asset shares: the folders it reads and writes, and the warehouse."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipeline.quality.policy import QualityPolicy
from pipeline.register.assets import RegisterFolder
from pipeline.registry import Registry
from pipeline.rule import YearRule
from pipeline.settings import Paths, duckdb_memory_limit, duckdb_threads
from pipeline.warehouse import Warehouse


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


def resources_from(paths: Paths) -> dict[str, dg.ConfigurableResource]:
    """The resource set for one environment's paths."""
    return {
        "folders": DataFolders(raw_dir=str(paths.raw_dir), marts_dir=str(paths.marts_dir)),
        "warehouse": Warehouse(
            path=str(paths.duckdb_path), memory_limit=duckdb_memory_limit(), threads=duckdb_threads()
        ),
        "quality": QualityPolicy(),
        "rules": RecordedRules(registry_path=str(paths.registry_path)),
        "register": RegisterFolder(houjin_dir=str(paths.houjin_dir or "")),
    }
