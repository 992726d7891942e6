"""One readable line per stage: to the Dagster run log, and to the command line."""

from __future__ import annotations

import logging

import dagster as dg

progress_log = logging.getLogger("pipeline.progress")


def report(context: dg.AssetExecutionContext, line: str) -> None:
    """Tell the run log and any listening command line what a stage did."""
    context.log.info(line)
    progress_log.info(line)


def yen(amount: int | float | None) -> str:
    """Yen with thousands separators, for people."""
    return "¥0" if amount is None else f"¥{int(amount):,}"
