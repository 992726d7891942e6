"""Command line: `python -m pipeline run|explain|assess|rule|releases|…`, thin over Dagster.

Runs go through the Dagster instance in DAGSTER_HOME, so the UI shows them.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points
from pathlib import Path

from pipeline.commands.rule_commands import add_rule_options
from pipeline.settings import Paths, fiscal_year_argument, fiscal_years_in, skipped_year_folders


def _instance(paths: Paths):
    import dagster as dg

    from pipeline.orchestration.automation import write_instance_config

    os.environ.setdefault("DAGSTER_HOME", str(paths.dagster_home))
    write_instance_config(Path(os.environ["DAGSTER_HOME"]))
    return dg.DagsterInstance.get()


def failure_reason(result) -> str:
    """Why a run failed, in one line: the failed blocking checks, else the first step failure."""
    failed_gates = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity.value == "ERROR"
    ]
    if failed_gates:
        return "; ".join(
            f"check {e.check_name} on {e.asset_key.to_user_string()} failed: {e.description}"
            for e in failed_gates
        )
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        data = event.step_failure_data
        if data.user_failure_data and data.user_failure_data.description:
            return f"{event.step_key}: {data.user_failure_data.description}"
        error = data.error
        while error.cause is not None:
            error = error.cause
        lines = [line for line in error.message.strip().splitlines() if line.strip()]
        return f"{event.step_key}: {lines[0] if lines else error.cls_name}"
    for event in result.all_events:  # a resource that could not start: e.g. the warehouse is busy
        if event.is_failure and event.event_specific_data is not None:
            error = getattr(event.event_specific_data, "error", None)
            if error is not None:
                return error.message.strip().splitlines()[0]
    return "the run failed before any step ran"


def run_config(log_level: str = "CRITICAL") -> dict:
    """Run config of a command-line run: only the console's log level. The rule is not run
    config: every run reads the year's recorded rule (pipeline/registry/store.py). CRITICAL keeps
    Dagster's tracebacks off the terminal (they stay in the run's event log), so that a failed
    run's one-line reason comes first."""
    return {"loggers": {"console": {"config": {"log_level": log_level}}}}


def run(args: argparse.Namespace) -> int:
    from pipeline.commands.rule_commands import apply_rule_changes, rule_changes
    from pipeline.warehouse.run_lock import RunInProgress, holding_warehouse

    paths = Paths.from_env()
    years = args.year or fiscal_years_in(paths.raw_dir)
    for folder in skipped_year_folders(paths.raw_dir):
        print(
            f"warning: skipped {folder}: not a fiscal-year folder (four ASCII digits, e.g. 2025)",
            file=sys.stderr,
        )
    if not years:
        print(f"error: no fiscal-year folders (e.g. 2025/) in {paths.raw_dir}", file=sys.stderr)
        return 2
    missing = [y for y in years if not (paths.raw_dir / y).is_dir()]
    if missing:
        print(f"error: no folder {paths.raw_dir / missing[0]}", file=sys.stderr)
        return 2
    rules = apply_rule_changes(paths, years, rule_changes(args), args.reason)
    if rules is None:
        return 2
    try:
        with holding_warehouse(paths.duckdb_path, f"a run of {', '.join(years)}"), collector_paused():
            return _run_years(paths, years, rules, args.force)
    except RunInProgress as busy:
        print(f"error: {busy}", file=sys.stderr)
        return 2


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic collector off for the length of a run, and back on after it. A run holds
    few Python objects (the rows stay in DuckDB), but Dagster and GX make many, and each pass
    walks the whole heap: about 1–2 s of a 10-firm run (gc.callbacks), for a few MB kept."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_years(paths: Paths, years: list[str], rules: dict, force: bool) -> int:
    from pipeline.warehouse.connection import ensure_usable

    ensure_usable(paths.duckdb_path)
    # Closed when the runs end: at exit, the frozen heap (__main__.py) is not collected.
    with _instance(paths) as instance:
        return _run_years_in(instance, paths, years, rules, force)


def _run_years_in(instance, paths: Paths, years: list[str], rules: dict, force: bool) -> int:
    from pipeline.definitions import JOB_NAME, build_definitions
    from pipeline.orchestration.refresh import plan_refresh, selection_of
    from pipeline.quality.gx_duckdb import import_great_expectations_in_background
    from pipeline.runtime.partitions import fiscal_year_partitions
    from pipeline.stages.catalog import SUITES
    from pipeline.stages.publication.manifest import code_commit
    from pipeline.warehouse.versions import PARENTS

    instance.add_dynamic_partitions(fiscal_year_partitions.name, years)
    job = build_definitions(paths).resolve_job_def(JOB_NAME)
    progress = logging.getLogger("pipeline.runtime.progress")
    progress.setLevel(logging.INFO)
    commit = code_commit()["commit"]
    if not bring_register_up_to_date(paths, instance, run_config(), run_tags("command line", "", commit)):
        return 1
    for year in years:
        plan = plan_refresh(paths, year, rules[year], force=force)
        if plan.up_to_date:
            print(f"[{year}] up to date: inputs, code and rule unchanged; nothing recomputed")
            continue
        print(f"[{year}] recomputing {len(plan.stale)} of {len(PARENTS)} assets ({plan.reason})")
        if {suite.asset for suite in SUITES} & set(plan.stale):
            # GX's import (seconds of CPU) goes on while Dagster creates the run, which mostly
            # waits on its SQLite event log; after the plan, so that a run without suites skips it.
            import_great_expectations_in_background()
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter(f"[{year}] %(message)s"))
        progress.addHandler(handler)
        try:
            result = job.execute_in_process(
                partition_key=year,
                instance=instance,
                asset_selection=selection_of(plan),
                run_config=run_config(),
                tags=run_tags("command line", rules[year].sha256(), commit),
                raise_on_error=False,
            )
        finally:
            progress.removeHandler(handler)
        if not result.success:
            print(f"[{year}] FAILED {failure_reason(result)}", file=sys.stderr)
            print(f"[{year}] the live publication is unchanged; details: Dagster run {result.run_id}")
            return 1
    print("\nCandidate lists:")
    for year in years:
        folder = paths.marts_dir / year
        print(f"  {folder / 'national_candidates.csv'}")
        print(f"  {folder / 'prefectures'}/<prefecture_code>.csv")
    return 0


def bring_register_up_to_date(paths: Paths, instance, run_config: dict, tags: dict[str, str]) -> bool:
    """Run the register's job when the warehouse does not hold the files' register, checked;
    prints the one-line reason and returns False when it fails."""
    from pipeline.definitions import REGISTER_JOB_NAME, build_definitions
    from pipeline.stages.register.refresh import register_is_current

    if register_is_current(paths):
        return True
    print(f"[register] loading the corporate register from {paths.houjin_dir}")
    job = build_definitions(paths).resolve_job_def(REGISTER_JOB_NAME)
    result = job.execute_in_process(instance=instance, run_config=run_config, tags=tags, raise_on_error=False)
    if not result.success:
        print(f"[register] FAILED {failure_reason(result)}", file=sys.stderr)
        return False
    return True


def run_tags(launcher: str, rule_sha256: str, commit: str) -> dict[str, str]:
    """Tags every run carries, so the UI can filter by who launched it, under which rule and code."""
    return {"launcher": launcher, "rule_sha256": rule_sha256, "git_commit": commit}


def explain(args: argparse.Namespace) -> int:
    from pipeline.commands.explain import CannotExplain, FirmAsked, render_text
    from pipeline.commands.explain_release import explain_release

    paths = Paths.from_env()
    try:
        asked = FirmAsked.from_command_line(args.corporate_number, args.vendor_code)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        answer = explain_release(
            paths, asked, args.year, args.release, all_transactions=args.all_transactions
        )
    except CannotExplain as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2, default=str))
    else:
        print(render_text(answer))
    return 0 if answer["status"] != "absent" else 1


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipeline", description="重点支援企業候補 pipeline")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="materialise every asset for the given fiscal years")
    r.add_argument(
        "--year",
        action="append",
        type=fiscal_year_argument,
        help="fiscal year (repeatable); default: all found",
    )
    add_rule_options(r)
    r.add_argument("--force", action="store_true", help="recompute everything, even what is up to date")
    r.set_defaults(handler=run)

    e = sub.add_parser("explain", help="why a firm is or is not a candidate, in a published release")
    e.add_argument(
        "corporate_number",
        nargs="?",
        help="法人番号 (13 digits), or the raw text of a quarantined row's number",
    )
    e.add_argument(
        "--vendor-code",
        help="the firm by the data vendor's firm code instead (a 個人 has no 法人番号)",
    )
    e.add_argument("--year", type=int, help="fiscal year (default: the latest published one with this firm)")
    e.add_argument("--release", help="a release id (e.g. 2025-1a2b3c4d) instead of the year's live release")
    e.add_argument(
        "--all-transactions",
        action="store_true",
        help="every transaction that counts for the firm's degrees, with its file line, not only the top 5",
    )
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e.set_defaults(handler=explain)

    from pipeline.commands import assess, rule_commands
    from pipeline.designations import commands as designations

    assess.add_parser(sub)
    rule_commands.add_parsers(sub)
    designations.add_parsers(sub)
    # Commands of the packages built on the pipeline (the sample data, the portal's accounts):
    # they register themselves, so the pipeline imports neither.
    for entry in sorted(entry_points(group="pipeline.commands"), key=lambda e: e.name):
        entry.load()(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except Exception as error:  # a damaged or busy warehouse is one line; duckdb is loaded by then
        import duckdb

        from pipeline.warehouse.connection import WarehouseUnusable

        if isinstance(error, WarehouseUnusable):
            print(f"error: {error}", file=sys.stderr)
        elif isinstance(error, duckdb.IOException) and "Could not set lock" in str(error):
            print(f"error: cannot use the warehouse (is a run in progress?): {error}", file=sys.stderr)
        else:
            raise
        return 2
