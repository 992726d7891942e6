"""Great Expectations 1.x validating DuckDB tables, with the work pushed down to SQL.

GX fetches a query's rows after it has closed the connection, and duckdb-engine does
not buffer them, so every expectation fails with "list index out of range" (GX issues
#10738, #11579). GX keeps one connection open for the dialects in its private
`_PERSISTED_CONNECTION_DIALECTS`; adding duckdb there makes its queries return rows.
That is private API: GX is pinned in pyproject.toml, the patch lives only here, and
tests/quality/test_gx_duckdb.py fails loudly when an upgrade breaks it.
"""

from __future__ import annotations

import enum
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipeline.quality.lazy_modules import load_lazily

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no network here, and none wanted

EXAMPLE_ROWS = 5


_background_import: threading.Thread | None = None


def _import_great_expectations() -> None:
    import great_expectations  # noqa: F401
    import great_expectations.expectations  # noqa: F401


def import_great_expectations_in_background() -> None:
    """Start importing GX (seconds of CPU) while DuckDB works; `ready()` waits for it."""
    global _background_import
    if _background_import is None and "great_expectations" not in sys.modules:
        load_lazily()  # in this thread, before the import's
        _background_import = threading.Thread(target=_import_great_expectations, daemon=True)
        _background_import.start()


def ready() -> None:
    """Wait for a background import of GX: importing it from two threads at once breaks it.
    Every import of GX in the pipeline comes after this call."""
    load_lazily()
    if _background_import is not None:
        _background_import.join()


class _DuckDBDialect(enum.StrEnum):
    DUCKDB = "duckdb"


def keep_duckdb_connection_open() -> None:
    """Make GX hold one DuckDB connection for a validation (the private-API patch)."""
    ready()
    from great_expectations.execution_engine import sqlalchemy_execution_engine as _engine

    if "duckdb" not in _engine._PERSISTED_CONNECTION_DIALECTS:
        _engine._PERSISTED_CONNECTION_DIALECTS = (
            *_engine._PERSISTED_CONNECTION_DIALECTS,
            _DuckDBDialect.DUCKDB,
        )


def skip_saving_project_config(context) -> None:
    """An ephemeral context saves nothing, yet on every asset or batch definition added it
    renders its whole project config as YAML (about a third of a small suite's CPU, growing with
    each asset). This context's config is never read back, so it is not rendered (private API,
    guarded like the patch above)."""
    if not callable(getattr(context, "_save_project_config", None)):
        raise RuntimeError("GX no longer has DataContext._save_project_config: revisit gx_duckdb.py")
    context._save_project_config = lambda *args, **kwargs: None


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result, in terms a person can read."""

    expectation: str
    arguments: dict[str, Any]
    success: bool
    observed_value: Any = None
    unexpected_count: int | None = None
    examples: list[Any] = field(default_factory=list)
    error: str | None = None

    def summary(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.arguments.items())
        text = f"{'PASS' if self.success else 'FAIL'} {self.expectation}({args})"
        if self.unexpected_count:
            text += f": {self.unexpected_count:,} unexpected"
        elif self.observed_value is not None:
            text += f": observed {self.observed_value}"
        if self.error:
            text += f": error {self.error}"
        return text


@dataclass(frozen=True)
class SuiteOutcome:
    """A suite's validation: passed only when every expectation passed."""

    suite: str
    outcomes: list[ExpectationOutcome]

    @property
    def success(self) -> bool:
        return bool(self.outcomes) and all(o.success for o in self.outcomes)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


_SHOWN_ARGUMENTS = (
    "column",
    "column_A",
    "column_B",
    "column_list",
    "value_set",
    "min_value",
    "max_value",
    "value",
    "description",
)


def _error_of(exception_info: dict | None) -> str | None:
    """GX's own exceptions: either at the top level or nested per metric."""
    if not exception_info:
        return None
    infos = [exception_info] if "raised_exception" in exception_info else list(exception_info.values())
    messages = [
        str(info.get("exception_message"))
        for info in infos
        if isinstance(info, dict) and str(info.get("raised_exception")) == "True"
    ]
    return "; ".join(messages)[:300] or None


def _outcome(result) -> ExpectationOutcome:
    config = result.expectation_config
    kwargs = config.kwargs
    details = result.result or {}
    error = _error_of(result.exception_info)
    examples = (
        details.get("partial_unexpected_list") or details.get("details", {}).get("unexpected_rows") or []
    )
    observed = details.get("observed_value")
    return ExpectationOutcome(
        expectation=config.type,
        arguments={
            **{k: _short(kwargs[k]) for k in _SHOWN_ARGUMENTS if kwargs.get(k) is not None},
            **({"description": config.description} if config.description else {}),
        },
        success=bool(result.success),
        observed_value=_short(observed),
        unexpected_count=details.get("unexpected_count"),
        examples=[_short(e) for e in list(examples)[:EXAMPLE_ROWS]],
        error=error,
    )


def _short(value: Any) -> Any:
    """Keep metadata small: long collections are cut, odd objects become text."""
    if isinstance(value, (list, tuple, set)) and len(value) > 10:
        value = [*list(value)[:10], "…"]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_short(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _short(v) for k, v in value.items()}
    return str(value)


def _release(datasource) -> None:
    """Close every DuckDB connection GX opened: DuckDB refuses, in one process, a new
    connection with another configuration while an old one to the same file is open."""
    execution_engine = datasource.get_execution_engine()
    if execution_engine._connection is not None:
        execution_engine._connection.close()
        execution_engine._connection = None
    execution_engine.engine.dispose()
    datasource.get_engine().dispose()  # the data source's own engine, from its connection test


@dataclass
class _Session:
    """A GX context with a data source over one open DuckDB database."""

    database: str
    connection: duckdb.DuckDBPyConnection
    context: Any
    datasource: Any


# The session over the run's open database: a context and data source built once per run, not
# once per suite (that cost ~50 ms of CPU a suite). Its DuckDB cursors are closed after each suite.
_shared: _Session | None = None


def _new_session(database: Path, connection: duckdb.DuckDBPyConnection) -> _Session:
    import great_expectations as gx  # here, not at import time: importing GX takes seconds
    from duckdb_engine import ConnectionWrapper
    from great_expectations.data_context.types.base import ProgressBarsConfig

    keep_duckdb_connection_open()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    skip_saving_project_config(context)
    engine_arguments = {"creator": lambda: ConnectionWrapper(connection.cursor())}
    datasource = context.data_sources.add_sql(
        name="warehouse", connection_string=f"duckdb:///{database}", kwargs=engine_arguments
    )
    _release(datasource)
    return _Session(str(database), connection, context, datasource)


def _session_over(database: Path, connection: duckdb.DuckDBPyConnection) -> _Session:
    """The shared session if it is over this very connection (a run's), else a new one."""
    global _shared
    if _shared is None or _shared.connection is not connection or _shared.database != str(database):
        _shared = _new_session(database, connection)
    return _shared


def validate(
    database: Path,
    suite: str,
    query: str,
    expectations: Sequence[Any],
    connection: duckdb.DuckDBPyConnection | None = None,
) -> SuiteOutcome:
    """Validate the rows of `query` in the DuckDB file against `expectations`, in SQL. With
    `connection` (the run's open database), GX works on cursors of it: a second, read-only
    open of the same file in one process would be refused while the run holds it."""
    ready()
    import great_expectations as gx

    if connection is None:  # a read-only open of the file, for this suite alone
        with duckdb.connect(str(database), read_only=True) as own:
            return _validate(_new_session(database, own), suite, query, expectations, gx)
    return _validate(_session_over(database, connection), suite, query, expectations, gx)


def _validate(session: _Session, suite: str, query: str, expectations: Sequence[Any], gx) -> SuiteOutcome:
    datasource = session.datasource
    try:
        asset = datasource.add_query_asset(name=suite, query=query)
        batch = asset.add_batch_definition_whole_table("whole").get_batch()
        gx_suite = gx.ExpectationSuite(name=suite, expectations=list(expectations))
        # Counts first, without examples: fetching examples is a second scan per expectation,
        # and a suite that passes has none to show. A failing suite is validated again for them.
        outcome = SuiteOutcome(suite, [_outcome(r) for r in _results(batch, gx_suite, examples=0)])
        if not outcome.success:
            outcome = SuiteOutcome(suite, [_outcome(r) for r in _results(batch, gx_suite, EXAMPLE_ROWS)])
    finally:
        if any(a.name == suite for a in datasource.assets):
            datasource.delete_asset(name=suite)
        _release(datasource)
    return outcome


def _results(batch, gx_suite, examples: int) -> list:
    format_ = {"result_format": "SUMMARY", "partial_unexpected_count": examples}
    return batch.validate(gx_suite, result_format=format_).results
