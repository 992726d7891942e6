"""Thresholds of the quality gates, set through the `quality` resource's config."""

from __future__ import annotations

import dagster as dg


class QualityPolicy(dg.ConfigurableResource):
    """Thresholds of the warnings. The quarantine tolerance is not here: it is part of the year's
    recorded rule (pipeline/registry/rule.py, YearRule), because it decides what is published."""

    year_over_year_warning: float = 0.30

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Importing Great Expectations costs seconds of CPU; begin it while DuckDB ingests.
        from pipeline.quality.gx_duckdb import import_great_expectations_in_background

        import_great_expectations_in_background()
