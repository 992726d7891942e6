"""Thresholds of the quality gates, set through the `quality` resource's config."""

from __future__ import annotations

import dagster as dg


class QualityPolicy(dg.ConfigurableResource):
    """Tolerances the gates apply; the defaults are the contract's and the issue's."""

    quarantine_tolerance: float = 0.01
    year_over_year_warning: float = 0.30

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Importing Great Expectations costs seconds of CPU; begin it while DuckDB ingests.
        from pipeline.quality.gx_duckdb import import_great_expectations_in_background

        import_great_expectations_in_background()
