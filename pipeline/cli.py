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

    os.environ.setdefault("DAGSTER_HOME", str(paths.dagster_home))
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
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
        return f"{event.step_key}: {error.message.strip().splitlines()[-1]}"
    return "the run failed before any step ran"


def run_config(
    rule: dict | None = None,
    tolerance: float | None = None,
    log_level: str = "ERROR",
    assets: list[str] | None = None,
    amounts: dict | None = None,
) -> dict:
    """Run config for a rule, an amount rule, a quarantine tolerance and the console log level;
    each rule only when the asset it configures is among the assets run."""
    quality = {} if tolerance is None else {"quarantine_tolerance": tolerance}
    ops = {}
    if assets is None or "candidate_selection" in assets:
        ops["candidate_selection"] = {"config": rule or {}}
    if assets is None or "staged_transactions" in assets:
        ops["stage_transactions"] = {"config": amounts or {}}
    return {
        "ops": ops,
        "resources": {"quality": {"config": quality}},
        "loggers": {"console": {"config": {"log_level": log_level}}},
    }


def _rule_options(args: argparse.Namespace) -> dict:
    keys = ("min_sales_jpy", "min_employees", "min_connector_degree", "min_hub_degree")
    rule = {key: getattr(args, key) for key in keys if getattr(args, key) is not None}
    if args.exclude_size_class:
        rule["excluded_size_classes"] = args.exclude_size_class
    if args.selection is not None:
        rule["selection"] = args.selection
    if args.top_n is not None:
        rule["top_n_per_prefecture"] = args.top_n
    if args.weight:
        rule["composite_weights"] = dict(args.weight)
    return rule


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


def _amount_options(args: argparse.Namespace) -> dict:
    amounts = {}
    if args.amount_mode is not None:
        amounts["amount_mode"] = args.amount_mode
    if args.estimate_beta is not None:
        amounts["estimate_beta"] = args.estimate_beta
    return amounts


def run(args: argparse.Namespace) -> int:
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
    from pipeline.warehouse import ensure_usable

    ensure_usable(paths.duckdb_path)
    instance = _instance(paths)
    from pipeline.amounts import AmountRule
    from pipeline.definitions import JOB_NAME, build_definitions
    from pipeline.partitions import fiscal_year_partitions
    from pipeline.refresh import plan_refresh, selection_of
    from pipeline.rule import SelectionRule
    from pipeline.versions import PARENTS

    instance.add_dynamic_partitions(fiscal_year_partitions.name, years)
    job = build_definitions(paths).resolve_job_def(JOB_NAME)
    progress = logging.getLogger("pipeline.progress")
    progress.setLevel(logging.INFO)
    rule, amounts = _rule_options(args), _amount_options(args)
    try:
        rule_json, amounts_json = SelectionRule(**rule).as_json(), AmountRule(**amounts).as_json()
    except ValueError as error:  # pydantic's ValidationError: say which option, not a traceback
        print(f"error: the rule is not valid: {error}", file=sys.stderr)
        return 2
    for year in years:
        plan = plan_refresh(paths, year, rule_json, force=args.force, amount_rule_json=amounts_json)
        if plan.up_to_date:
            print(f"[{year}] up to date: inputs, code and rules unchanged; nothing recomputed")
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
                run_config=run_config(rule, args.quarantine_tolerance, assets=plan.stale, amounts=amounts),
                raise_on_error=False,
            )
        finally:
            progress.removeHandler(handler)
        if not result.success:
            print(f"[{year}] FAILED {failure_reason(result)}", file=sys.stderr)
            return 1
    print("\nCandidate lists:")
    for year in years:
        folder = paths.marts_dir / year
        print(f"  {folder / 'national_candidates.csv'}")
        print(f"  {folder / 'prefectures'}/<prefecture_code>.csv")
    return 0


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
    import duckdb

    from pipeline.explain import explain as explain_firm
    from pipeline.explain import render_text
    from pipeline.warehouse import Warehouse

    paths = Paths.from_env()
    if not paths.duckdb_path.exists():
        print(
            f"error: no warehouse at {paths.duckdb_path}; run `python -m pipeline run` first", file=sys.stderr
        )
        return 2
    try:
        with Warehouse(path=str(paths.duckdb_path)).connect() as con:
            answer = explain_firm(con, args.corporate_number, args.year)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except duckdb.IOException as e:  # a run holds the warehouse from its first step to its last
        print(f"error: cannot use the warehouse (is a run in progress?): {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2, default=str))
    else:
        print(render_text(answer))
    return 0 if answer["status"] != "absent" else 1


def accounts(args: argparse.Namespace) -> int:
    """Create, revoke and list the portal's accounts (issue 6)."""
    import getpass
    import secrets

    from portal.accounts import AccountError, Store
    from portal.app import PortalConfig

    store = Store(PortalConfig.from_env().database)
    try:
        if args.action == "create":
            if args.generate_password:
                password = secrets.token_urlsafe(18)
            elif args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass(f"password for {args.username}: ")
            account = store.create(args.username, args.role, password)
            print(f"created {account.username} ({account.role})")
            if args.generate_password:
                print(f"password (shown once): {password}")
        elif args.action == "revoke":
            store.revoke(args.username)
            print(f"revoked {args.username}; its sessions are closed")
        else:
            for username, role, created, revoked in store.accounts():
                state = f"revoked {revoked}" if revoked else "active"
                print(f"{username:<32} {role:<12} created {created}  {state}")
    except AccountError as error:
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
    r.add_argument("--min-sales-jpy", type=int)
    r.add_argument("--min-employees", type=int)
    r.add_argument("--min-connector-degree", type=float)
    r.add_argument("--min-hub-degree", type=float)
    r.add_argument(
        "--exclude-size-class",
        action="append",
        choices=SIZE_CLASSES,
        help="a legal size class that cannot be a candidate (repeatable), e.g. 大企業",
    )
    r.add_argument(
        "--selection",
        choices=("thresholds", "composite_top_n"),
        help="thresholds (default): the degree test; composite_top_n: the top N per prefecture "
        "by composite score among firms that pass the size tests",
    )
    r.add_argument("--top-n", type=int, help="N of composite_top_n (default 10)")
    r.add_argument(
        "--weight",
        action="append",
        type=_weight,
        metavar="INDICATOR=W",
        help="a composite weight (repeatable), e.g. profit_growth=0.3; the others keep their defaults",
    )
    r.add_argument(
        "--amount-mode",
        choices=("require", "estimate"),
        help="require (default): an empty amount is invalid_amount; estimate: estimate it "
        "from the firms' sizes (partner lists without amounts)",
    )
    r.add_argument(
        "--estimate-beta", type=float, help="β of the estimate: weight = customer sales^β (default 1)"
    )
    r.add_argument("--quarantine-tolerance", type=float)
    r.add_argument("--force", action="store_true", help="recompute everything, even what is up to date")
    r.set_defaults(handler=run)

    e = sub.add_parser("explain", help="why a firm is or is not a candidate")
    e.add_argument("corporate_number", help="法人番号 (13 digits)")
    e.add_argument("--year", type=int, help="fiscal year (default: the latest with this firm)")
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
    a.set_defaults(handler=accounts)
    from pipeline import assess

    assess.add_parser(sub)
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
