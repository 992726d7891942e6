"""Bringing the warehouse's register up to date before the fiscal years run."""

from __future__ import annotations

from pipeline.settings import Paths
from pipeline.stages.register.files import RegisterError, locate_register
from pipeline.stages.register.load import held_register, register_version
from pipeline.warehouse.connection import Warehouse

UNREADABLE = "unreadable register"


def expected_register(paths: Paths) -> str:
    """The register version the files in HOUJIN_DIR give ('no register' without files)."""
    try:
        return register_version(locate_register(paths.houjin_dir))
    except RegisterError:
        return UNREADABLE  # never a held version: the register step runs, and says what is wrong


def register_is_current(paths: Paths) -> bool:
    """Whether the warehouse holds, checked, the register the files give."""
    expected = expected_register(paths)
    with Warehouse(path=str(paths.duckdb_path)).connect() as con:
        held = held_register(con)
    if held is None:
        return expected == "no register"
    return held[0] == expected and (held[2] or expected == "no register")
