"""The pipeline's stages, in the order data flows: each folder holds its assets, SQL and checks.

    ingest → staging → register → flows → degrees → indicators → candidates → publication

A stage imports only from the stages before it and from the shared packages (reference,
registry, warehouse, quality, runtime); tests/test_layout.py holds it to that.
"""
