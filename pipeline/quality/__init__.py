"""Data-quality gates: Great Expectations suites per stage, blocking SQL checks, warnings."""
