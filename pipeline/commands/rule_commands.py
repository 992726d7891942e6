"""`python -m pipeline rule set|show|history` and `releases list|show|prune`.

Changing a year's rule is an explicit, recorded act; every value is validated before anything
is recorded or run, with one line per bad value.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from pydantic import ValidationError

from pipeline.reference.contract import SIZE_CLASSES
from pipeline.registry.rule import YearRule, rule_errors
from pipeline.registry.store import Registry
from pipeline.settings import Paths

NO_REASON = "no reason given"


RULE_OPTIONS = (
    "min_sales_jpy",
    "min_employees",
    "min_connector_degree",
    "min_hub_degree",
    "selection",
    "top_n_per_prefecture",
    "register_policy",
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
    from pipeline.registry.rule import CompositeWeights

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
        "--register-policy",
        choices=("report", "exclude_closed", "register_prefecture"),
        help="what the 国税庁 register does: report (default: flags only); exclude_closed: a firm "
        "it shows closed is not a candidate; register_prefecture: that, and the register's head "
        "office where the vendor's differs (degrees follow it)",
    )
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


def apply_rule_changes(
    paths: Paths, years: list[str], changes: dict[str, object], reason: str | None
) -> dict[str, YearRule] | None:
    """Each year's rule after `changes`, recorded where it changed (printing what changed);
    None, with every problem printed and nothing recorded, when a value is not valid."""
    registry = Registry(paths.registry_path)
    current = {year: registry.current_rule(int(year)) for year in years}
    if not changes:
        return current
    try:
        updated = {year: rule.with_changes(changes) for year, rule in current.items()}
    except ValidationError as error:
        for line in rule_errors(error):
            print(f"error: {line}", file=sys.stderr)
        print("error: the rule is not valid; nothing was changed or run", file=sys.stderr)
        return None
    for year, rule in updated.items():
        change = registry.change_rule(int(year), rule, reason or NO_REASON)
        if change is None:
            print(f"[{year}] rule unchanged")
            continue
        for line in current[year].differences(rule):
            print(f"[{year}] rule: {line}")
        print(f"[{year}] recorded as change {change.change_id} by {change.changed_by}: {change.reason}")
    return updated


def rule_set(args: argparse.Namespace) -> int:

    changes = rule_changes(args)
    if not changes:
        print("error: name at least one value to change, e.g. --min-employees 50", file=sys.stderr)
        return 2
    if not args.reason:
        print("error: --reason is required: say why the rule changes", file=sys.stderr)
        return 2
    return 0 if apply_rule_changes(Paths.from_env(), [args.year], changes, args.reason) else 2


def rule_show(args: argparse.Namespace) -> int:
    registry = Registry(Paths.from_env().registry_path)
    rule = registry.current_rule(int(args.year))
    history = registry.rule_history(int(args.year))
    if args.json:
        print(json.dumps(json.loads(rule.as_json()), ensure_ascii=False, indent=2))
        return 0
    since = f"change {history[-1].change_id}, {history[-1].changed_at} by {history[-1].changed_by}"
    print(f"rule of {args.year} ({since if history else 'the defaults: never changed'})")
    print(f"  {rule.selection.describe()}")
    print(f"  {rule.amounts.describe()}")
    for name, value in rule.flat().items():
        print(f"  {name:<34} {value}")
    print(f"  sha256 {rule.sha256()}")
    return 0


def rule_history(args: argparse.Namespace) -> int:
    registry = Registry(Paths.from_env().registry_path)
    previous = YearRule()
    history = registry.rule_history(int(args.year))
    if not history:
        print(f"rule of {args.year}: never changed (the defaults)")
    for change in history:
        print(f"change {change.change_id}  {change.changed_at}  {change.changed_by}: {change.reason}")
        for line in previous.differences(change.rule) or ["(no value changed)"]:
            print(f"    {line}")
        previous = change.rule
    return 0


def releases_list(args: argparse.Namespace) -> int:
    from pipeline.runtime.release_folders import live_release
    from pipeline.stages.publication.releases import register_live_release

    paths = Paths.from_env()
    registry = Registry(paths.registry_path)
    years = {r.fiscal_year for r in registry.releases()}
    for year in sorted(years | _published_years(paths)):
        register_live_release(paths.marts_dir, registry, year)
    releases = registry.releases(int(args.year) if args.year else None)
    if args.json:
        print(json.dumps([asdict(r) for r in releases], ensure_ascii=False, indent=2))
        return 0
    if not releases:
        print("no releases")
    for r in releases:
        state = "live" if live_release(paths.marts_dir, r.fiscal_year) == r.release_id else "superseded"
        if r.pruned_at:
            state = f"pruned {r.pruned_at}"
        print(
            f"{r.release_id:<16} {r.published_at}  {r.candidates:>7,} candidates  rule {r.rule_sha256[:12]}  "
            f"commit {r.git_commit[:12]}  {state}"
        )
    return 0


def _published_years(paths: Paths) -> set[int]:
    if not paths.marts_dir.is_dir():
        return set()
    return {int(p.name) for p in paths.marts_dir.iterdir() if p.is_symlink() and p.name.isdigit()}


def releases_show(args: argparse.Namespace) -> int:
    paths = Paths.from_env()
    release = Registry(paths.registry_path).release(args.release_id)
    if release is None:
        print(f"error: no release {args.release_id}; `releases list` shows them", file=sys.stderr)
        return 2
    print(json.dumps(asdict(release), ensure_ascii=False, indent=2))
    return 0


def releases_prune(args: argparse.Namespace) -> int:
    from pipeline.stages.publication.releases import prune

    if args.keep_days < 0:
        print("error: --keep-days must be 0 or more", file=sys.stderr)
        return 2
    paths = Paths.from_env()
    removed = prune(Registry(paths.registry_path), paths.marts_dir, args.keep_days, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    for release in removed:
        print(
            f"{verb} {release.release_id} "
            f"(published {release.published_at}, superseded {release.superseded_at})"
        )
    print(
        f"{verb} {len(removed)} release(s); live releases and those newer than {args.keep_days} days are kept"
    )
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:

    rule = sub.add_parser("rule", help="show, change or trace a fiscal year's recorded rule")
    actions = rule.add_subparsers(dest="action", required=True)
    set_ = actions.add_parser("set", help="change the year's rule (recorded with who, when and why)")
    set_.add_argument("--year", required=True, type=_year)
    add_rule_options(set_)
    set_.set_defaults(handler=rule_set)
    show = actions.add_parser("show", help="the year's rule in force")
    show.add_argument("--year", required=True, type=_year)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=rule_show)
    history = actions.add_parser("history", help="every change of the year's rule")
    history.add_argument("--year", required=True, type=_year)
    history.set_defaults(handler=rule_history)

    releases = sub.add_parser("releases", help="list, show or prune the kept releases")
    actions = releases.add_subparsers(dest="action", required=True)
    list_ = actions.add_parser("list", help="every release, oldest first")
    list_.add_argument("--year", type=_year)
    list_.add_argument("--json", action="store_true")
    list_.set_defaults(handler=releases_list)
    show = actions.add_parser("show", help="one release's record")
    show.add_argument("release_id")
    show.set_defaults(handler=releases_show)
    prune = actions.add_parser("prune", help="remove superseded releases older than the retention")
    prune.add_argument("--keep-days", type=int, required=True, help="keep every release newer than this")
    prune.add_argument("--dry-run", action="store_true", help="say what would go, remove nothing")
    prune.set_defaults(handler=releases_prune)


def _year(text: str) -> str:
    if len(text) != 4 or not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a four-digit fiscal year")
    return text
