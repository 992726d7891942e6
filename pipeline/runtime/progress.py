"""One readable line per stage: to the Dagster run log, and to the command line."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import dagster as dg

progress_log = logging.getLogger("pipeline.runtime.progress")


def report(context: dg.AssetExecutionContext, line: str) -> None:
    """Tell the run log and any listening command line what a stage did."""
    context.log.info(line)
    progress_log.info(line)


def yen(amount: int | float | None) -> str:
    """Yen with thousands separators, for people."""
    return "¥0" if amount is None else f"¥{int(amount):,}"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence], right: int = 0) -> str:
    """A Markdown table for asset metadata; integers get thousands separators and the last
    `right` columns are right-aligned."""

    def line(cells: Iterable) -> str:
        return (
            "| "
            + " | ".join(
                f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v) for v in cells
            )
            + " |"
        )

    rule = "|" + "---|" * (len(header) - right) + "---:|" * right
    return "\n".join([line(header), rule, *(line(row) for row in rows)])
