"""Resources every asset shares: the folders it reads and writes, and the warehouse."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipeline.quality.policy import QualityPolicy
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


def resources_from(paths: Paths) -> dict[str, dg.ConfigurableResource]:
    """The resource set for one environment's paths."""
    return {
        "folders": DataFolders(raw_dir=str(paths.raw_dir), marts_dir=str(paths.marts_dir)),
        "warehouse": Warehouse(
            path=str(paths.duckdb_path), memory_limit=duckdb_memory_limit(), threads=duckdb_threads()
        ),
        "quality": QualityPolicy(),
    }
