"""Command line: `python -m pipeline run|sample`, thin over Dagster.

Runs go through the Dagster instance in DAGSTER_HOME, so the UI shows them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from pipeline.contract import SIZE_CLASSES
from pipeline.settings import Paths, fiscal_year_argument, fiscal_years_in, skipped_year_folders


def _instance(paths: Paths):
    import dagster as dg

    from pipeline.automation import write_instance_config

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
    config: every run reads the year's recorded rule (pipeline/registry.py). CRITICAL keeps
    Dagster's tracebacks off the terminal (they stay in the run's event log), so that a failed
    run's one-line reason comes first."""
    return {"loggers": {"console": {"config": {"log_level": log_level}}}}


RULE_OPTIONS = (
    "min_sales_jpy",
    "min_employees",
    "min_connector_degree",
    "min_hub_degree",
    "selection",
    "top_n_per_prefecture",
    "amount_mode",
    "estimate_beta",
    "quarantine_tolerance",
)


def rule_changes(args: argparse.Namespace) -> dict[str, object]:
    """The rule options given on the command line, by their names in the rule (`YearRule.flat`)."""
    changes: dict[str, object] = {k: getattr(args, k) for k in RULE_OPTIONS if getattr(args, k) is not None}
    if args.exclude_size_class:
        changes["excluded_size_classes"] = [c for c in args.exclude_size_class if c != "none"]
    for name, value in args.weight or ():
        changes[f"weight.{name}"] = value
    return changes


def _weight(text: str) -> tuple[str, float]:
    """NAME=VALUE for --weight, e.g. profit_growth=0.3."""
    from pipeline.rule import CompositeWeights

    name, _, value = text.partition("=")
    if name not in CompositeWeights.model_fields:
        raise argparse.ArgumentTypeError(f"{name!r} is not one of {', '.join(CompositeWeights.model_fields)}")
    try:
        return name, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: the weight must be a number, as in {name}=0.2") from None


def add_rule_options(p: argparse.ArgumentParser) -> None:
    """The options that change a year's recorded rule, shared by `run` and `rule set`."""
    p.add_argument("--min-sales-jpy", type=int, help="size test: sales_jpy ≥ this (default 1,000,000,000)")
    p.add_argument("--min-employees", type=int, help="size test: employees ≥ this (default 20)")
    p.add_argument("--min-connector-degree", type=float, help="degree test, in [0, 1] (default 0.001)")
    p.add_argument("--min-hub-degree", type=float, help="degree test, in [0, 1] (default 0.001)")
    p.add_argument(
        "--exclude-size-class",
        action="append",
        choices=(*SIZE_CLASSES, "none"),
        help="a legal size class that cannot be a candidate (repeatable), e.g. 大企業; 'none' clears",
    )
    p.add_argument(
        "--selection",
        choices=("thresholds", "composite_top_n"),
        help="thresholds (default): the degree test; composite_top_n: the top N per prefecture "
        "by composite score among firms that pass the size tests",
    )
    p.add_argument("--top-n", dest="top_n_per_prefecture", type=int, help="N of composite_top_n (default 10)")
    p.add_argument(
        "--weight",
        action="append",
        type=_weight,
        metavar="INDICATOR=W",
        help="a composite weight (repeatable), e.g. profit_growth=0.3; the others are kept",
    )
    p.add_argument(
        "--amount-mode",
        choices=("require", "estimate"),
        help="require (default): an empty amount is invalid_amount; estimate: estimate it "
        "from the firms' sizes (partner lists without amounts)",
    )
    p.add_argument(
        "--estimate-beta", type=float, help="β of the estimate: weight = customer sales^β (default 1)"
    )
    p.add_argument(
        "--quarantine-tolerance",
        help="the largest quarantined share of a file's rows or yen that still publishes, in [0, 1], "
        "at most 6 decimal places (default 0.01)",
    )
    p.add_argument("--reason", help="why the rule changes (recorded with the change)")


def run(args: argparse.Namespace) -> int:
    from pipeline.rule_commands import apply_rule_changes
    from pipeline.run_lock import RunInProgress, holding_warehouse

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
        with holding_warehouse(paths.duckdb_path, f"a run of {', '.join(years)}"):
            return _run_years(paths, years, rules, args.force)
    except RunInProgress as busy:
        print(f"error: {busy}", file=sys.stderr)
        return 2


def _run_years(paths: Paths, years: list[str], rules: dict, force: bool) -> int:
    from pipeline.warehouse import ensure_usable

    ensure_usable(paths.duckdb_path)
    instance = _instance(paths)
    from pipeline.definitions import JOB_NAME, build_definitions
    from pipeline.manifest import code_commit
    from pipeline.partitions import fiscal_year_partitions
    from pipeline.refresh import plan_refresh, selection_of
    from pipeline.versions import PARENTS

    instance.add_dynamic_partitions(fiscal_year_partitions.name, years)
    job = build_definitions(paths).resolve_job_def(JOB_NAME)
    progress = logging.getLogger("pipeline.progress")
    progress.setLevel(logging.INFO)
    commit = code_commit()["commit"]
    for year in years:
        plan = plan_refresh(paths, year, rules[year], force=force)
        if plan.up_to_date:
            print(f"[{year}] up to date: inputs, code and rule unchanged; nothing recomputed")
            continue
        print(f"[{year}] recomputing {len(plan.stale)} of {len(PARENTS)} assets ({plan.reason})")
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


def run_tags(launcher: str, rule_sha256: str, commit: str) -> dict[str, str]:
    """Tags every run carries, so the UI can filter by who launched it, under which rule and code."""
    return {"launcher": launcher, "rule_sha256": rule_sha256, "git_commit": commit}


def sample(args: argparse.Namespace) -> int:
    from pipeline.sample import write_sample

    out = Path(args.out) if args.out else Paths.from_env().raw_dir
    counts = write_sample(
        out,
        size=args.size,
        fmt=args.format,
        encoding=args.encoding,
        fiscal_year=args.year,
        amounts=not args.no_amounts,
    )
    what = "partner list, no amounts" if args.no_amounts else "with amounts"
    print(
        f"wrote {counts['firms']:,} firms and {counts['transactions']:,} transactions ({what}) "
        f"to {out / str(args.year)} ({args.format}, {args.encoding})"
    )
    return 0


def explain(args: argparse.Namespace) -> int:
    from pipeline.explain import CannotExplain, render_text
    from pipeline.explain_release import explain_release

    paths = Paths.from_env()
    try:
        answer = explain_release(
            paths, args.corporate_number, args.year, args.release, all_transactions=args.all_transactions
        )
    except CannotExplain as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2, default=str))
    else:
        print(render_text(answer))
    return 0 if answer["status"] != "absent" else 1


def accounts(args: argparse.Namespace) -> int:
    """Create, revoke and list the portal's accounts, set a password, check the audit log (issue 6)."""
    import getpass
    import secrets

    from portal.accounts import AccountError, Store
    from portal.app import PortalConfig
    from portal.audit import verify_audit_command
    from portal.database import PortalFileError

    if args.action == "verify-audit":  # reads the file as it is: no Store, which would add tables
        return verify_audit_command(PortalConfig.from_env().database, args.expect)
    try:
        store = Store(PortalConfig.from_env().database)
        if args.action in ("create", "set-password"):
            if args.generate_password:
                password = secrets.token_urlsafe(18)
            elif args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass(f"password for {args.username}: ")
            if args.action == "create":
                account = store.create(args.username, args.role, password)
                print(f"created {account.username} ({account.role})")
            else:
                store.set_password(args.username, password)
                print(f"new password for {args.username}; its sessions are closed")
            if args.generate_password:
                print(f"password (shown once): {password}")
        elif args.action == "revoke":
            store.revoke(args.username)
            print(f"revoked {args.username}; its sessions are closed")
        else:
            for username, role, created, revoked in store.accounts():
                state = f"revoked {revoked}" if revoked else "active"
                print(f"{username:<32} {role:<12} created {created}  {state}")
    except (AccountError, PortalFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


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
        "corporate_number", help="法人番号 (13 digits), or the raw text of a quarantined row's number"
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

    s = sub.add_parser("sample", help="write contract-conforming sample data")
    s.add_argument("--size", choices=("tiny", "sample", "national"), default="sample")
    s.add_argument("--format", choices=("csv", "parquet"), default="csv")
    s.add_argument("--encoding", choices=("utf-8", "cp932"), default="utf-8")
    s.add_argument("--out", help="folder to write into (default: DATA_RAW_DIR)")
    s.add_argument("--year", type=int, default=2025)
    s.add_argument(
        "--no-amounts",
        action="store_true",
        help="leave amount_jpy empty, as a partner list is; run with --amount-mode estimate",
    )
    s.set_defaults(handler=sample)
    a = sub.add_parser("accounts", help="create, revoke or list the portal's accounts")
    actions = a.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="a new account (the password is stored hashed)")
    create.add_argument("username")
    create.add_argument("--role", required=True, help="pref:01 … pref:47, secretariat or reviewer")
    how = create.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    how.add_argument("--generate-password", action="store_true", help="make one and print it once")
    revoke = actions.add_parser("revoke", help="revoke an account and close its sessions")
    revoke.add_argument("username")
    actions.add_parser("list", help="every account, with its role and state")
    reset = actions.add_parser("set-password", help="a new password for an account; closes its sessions")
    reset.add_argument("username")
    how = reset.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    how.add_argument("--generate-password", action="store_true", help="make one and print it once")
    verify = actions.add_parser("verify-audit", help="check the audit log's hash chain and triggers")
    verify.add_argument(
        "--expect", metavar="ID:HASH", help="a head printed by an earlier check, kept elsewhere"
    )
    a.set_defaults(handler=accounts)
    from pipeline import assess, rule_commands
    from pipeline.designations import commands as designations

    assess.add_parser(sub)
    rule_commands.add_parsers(sub)
    designations.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except Exception as error:  # a damaged or busy warehouse is one line; duckdb is loaded by then
        import duckdb

        from pipeline.warehouse import WarehouseUnusable

        if isinstance(error, WarehouseUnusable):
            print(f"error: {error}", file=sys.stderr)
        elif isinstance(error, duckdb.IOException) and "Could not set lock" in str(error):
            print(f"error: cannot use the warehouse (is a run in progress?): {error}", file=sys.stderr)
        else:
            raise
        return 2
