"""Dagster assets, one module per stage: ingest → staging → flows → degrees → selection → publication."""
