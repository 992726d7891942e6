"""Command line: `python -m pipeline plans submit|show|list|approve|return|kpis` and
`python -m pipeline ichiran publish|diff|lookup`. Exit 0 done, 2 refused (one line a problem)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from pipeline.designations.store import PlanStore, StoreError
from pipeline.settings import Paths


def _problems(problems: list[str], what: str) -> int:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"error: {len(problems)} problem(s); {what}", file=sys.stderr)
    return 2


def _plan_json(store: PlanStore, plan_id: str, revision: int | None) -> dict:
    r = store.revision(plan_id, revision)
    return {
        **dataclasses.asdict(r),
        "excluded": r.excluded,
        "firms": [
            {**dataclasses.asdict(d), "firm_id": d.firm_id} for d in store.designations(r.plan_id, r.revision)
        ],
    }


def _print_plan(plan: dict) -> None:
    where = plan["prefecture_code"] + (f" / {plan['municipality_code']}" if plan["municipality_code"] else "")
    print(f"plan {plan['plan_id']} revision {plan['revision']} ({plan['status']}) — {plan['title']}")
    print(f"  prefecture {where}; 産業領域 {plan['focus']}; {plan['valid_from']} – {plan['valid_to']}")
    print(f"  verified on fiscal year {plan['reference_year']}, release {plan['release_id']}")
    for t in plan["kpi_targets"]:
        unit = "%" if t["name"] == "賃上げ" else ""
        print(f"  KPI target {t['name']} {t['target']:,.{2 if unit else 0}f}{unit} in {t['year']}")
    for e in plan["events"]:
        extra = f" (excluded {', '.join(json.loads(e['excluded']))})" if e["excluded"] != "[]" else ""
        print(f"  {e['at']} {e['action']} by {e['by']}: {e['reason']}{extra}")
    passed = sum(f["passed"] for f in plan["firms"])
    print(f"  firms: {len(plan['firms'])}, {passed} pass, {len(plan['firms']) - passed} fail")
    for f in plan["firms"]:
        mark = "ok  " if f["passed"] else "FAIL"
        out = " [excluded]" if f["firm_id"] in plan["excluded"] else ""
        flag = f" ⚑ {f['flag']}" if f["flag"] else ""
        who = f["corporate_number"] or f"企業コード {f['vendor_code']}"
        print(f"  {mark} {who} {f['name'] or '—'} ({f['basis']}){out}: {f['reason']}{flag}")


def plans_submit(args: argparse.Namespace) -> int:
    from pipeline.designations.plans import PlanError, Submission, submit
    from pipeline.designations.verification import VerificationError

    sub = Submission(
        prefecture=args.prefecture, municipality=args.municipality, title=args.title, focus=args.focus,
        valid_from=args.valid_from, valid_to=args.valid_to, firms=Path(args.firms), plan_id=args.plan,
        kpis=tuple(args.kpi or ()), year=args.year, reason=args.reason,
    )  # fmt: skip
    try:
        plan_id, revision, verdicts = submit(Paths.from_env(), PlanStore(), sub)
    except (PlanError, VerificationError) as e:
        return _problems(e.problems, "nothing was recorded")
    failed = [v for v in verdicts if not v.passed]
    print(f"plan {plan_id} revision {revision}: {len(verdicts)} firms, {len(failed)} fail verification")
    for v in verdicts:
        print(f"  {'ok  ' if v.passed else 'FAIL'} {v.label} {v.name or '—'}: {v.reason}")
        if v.flag:
            print(f"       ⚑ {v.flag}")
    return 0


def plans_show(args: argparse.Namespace) -> int:
    try:
        plan = _plan_json(PlanStore(), args.plan_id, args.revision)
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(plan, ensure_ascii=False, indent=2))
    else:
        _print_plan(plan)
    return 0


def plans_list(args: argparse.Namespace) -> int:
    from pipeline.designations.plans import prefecture_code

    code = prefecture_code(args.prefecture) if args.prefecture else None
    if args.prefecture and code is None:
        print(f"error: --prefecture {args.prefecture!r}: give the JIS X 0401 code 01–47", file=sys.stderr)
        return 2
    store = PlanStore()
    for r in store.plans(code, args.status):
        firms = store.designations(r.plan_id, r.revision)
        failing = sum(not d.passed for d in firms)
        print(
            f"{r.plan_id}  rev {r.revision}  {r.status:<9}  {r.prefecture_code}  "
            f"{r.valid_from}–{r.valid_to}  {len(firms)} firms ({failing} fail)  {r.title}"
        )
    return 0


def plans_decide(args: argparse.Namespace) -> int:
    from pipeline.designations.plans import PlanError, approve, return_plan

    store = PlanStore()
    try:
        if args.plans_action == "approve":
            firms = approve(store, args.plan_id, args.revision, args.reason, args.exclude or [])
            print(f"approved plan {args.plan_id} revision {args.revision}: {len(firms)} firms")
        else:
            return_plan(store, args.plan_id, args.revision, args.reason)
            print(f"returned plan {args.plan_id} revision {args.revision} to its prefecture")
    except PlanError as e:
        return _problems(e.problems, f"plan {args.plan_id} revision {args.revision} is unchanged")
    return 0


def plans_kpis(args: argparse.Namespace) -> int:
    from pipeline.designations.kpis import KpiError, compute, kpi_revision, render

    store = PlanStore()
    try:
        kpis = compute(Paths.from_env(), store, kpi_revision(store, args.plan_id, args.revision))
    except KpiError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(kpis, ensure_ascii=False, indent=2, default=str) if args.json else render(kpis))
    return 0


def _date_argument(text: str) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give a date as YYYY-MM-DD") from None


def add_parsers(sub) -> None:
    """The `plans` and `ichiran` subcommands."""
    add_ichiran_parsers(sub)
    p = sub.add_parser("plans", help="地域産業クラスター計画: submit, show, list, approve, return, kpis")
    actions = p.add_subparsers(dest="plans_action", required=True)
    s = actions.add_parser("submit", help="record a plan or a new revision; every firm is verified")
    s.add_argument("--prefecture", required=True, help="JIS X 0401 code, e.g. 13")
    s.add_argument("--municipality", help="6-digit 全国地方公共団体コード, e.g. 131016")
    s.add_argument("--title", required=True)
    s.add_argument("--focus", required=True, help="力を入れる産業領域, e.g. 半導体・電子部品")
    s.add_argument("--from", dest="valid_from", required=True, help="YYYY-MM-DD")
    s.add_argument("--to", dest="valid_to", required=True, help="YYYY-MM-DD")
    s.add_argument(
        "--firms", required=True,
        help="CSV (UTF-8/CP932) or XLSX: corporate_number (or vendor_code for a 個人), basis, ...",
    )  # fmt: skip
    s.add_argument("--plan", help="PLAN_ID: record a new revision of this plan")
    s.add_argument("--kpi", action="append", metavar="NAME=TARGET@YEAR", help="域内取引額|売上額|雇用|賃上げ")
    s.add_argument("--year", type=int, help="reference fiscal year (default: the latest published)")
    s.add_argument("--reason", help="a note recorded with the submission")
    s.set_defaults(handler=plans_submit)
    sh = actions.add_parser("show", help="a plan's revision with every firm's verdict")
    sh.add_argument("plan_id")
    sh.add_argument("--revision", type=int)
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(handler=plans_show)
    ls = actions.add_parser("list", help="every plan's latest revision")
    ls.add_argument("--prefecture")
    ls.add_argument("--status", choices=("submitted", "approved", "returned"))
    ls.set_defaults(handler=plans_list)
    for name, text in (("approve", "approve a submitted revision"), ("return", "return it with a reason")):
        d = actions.add_parser(name, help=text)
        d.add_argument("plan_id")
        d.add_argument("--revision", type=int, required=True)
        d.add_argument("--reason", required=True)
        if name == "approve":
            d.add_argument(
                "--exclude", nargs="+", metavar="法人番号",
                help="leave these firms out, recorded (a 個人 by its vendor code)",
            )  # fmt: skip
        d.set_defaults(handler=plans_decide)
    k = actions.add_parser(
        "kpis", help="the plan's KPIs for every fiscal year, against its baseline and targets"
    )
    k.add_argument("plan_id")
    k.add_argument("--revision", type=int, help="default: the latest approved revision, else the latest")
    k.add_argument("--json", action="store_true")
    k.set_defaults(handler=plans_kpis)


def ichiran_publish(args: argparse.Namespace) -> int:
    import datetime as dt

    from pipeline.designations.kpis import KpiError
    from pipeline.designations.publish import PublishError, publish

    paths = Paths.from_env()
    try:
        version = publish(paths, PlanStore(), dt.date.fromisoformat(args.effective), kpis=_kpi_writer(paths))
    except (PublishError, KpiError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(
        f"重点支援企業一覧 version {version.number}, in force from {version.effective_date}: "
        f"{version.firms} rows"
    )
    print(f"  {version.folder}")
    try:
        from pipeline.designations.asset import record_in_dagster

        record_in_dagster(paths, version)
    except Exception as error:  # the version is published either way; the UI record can follow
        print(f"warning: not recorded in Dagster ({error}); the version is published", file=sys.stderr)
    for code, firms in version.counts.items():
        print(f"  {code}: {firms} firms")
    print(f"  added {len(version.added)}, removed {len(version.removed)} since the previous version")
    for skipped in version.skipped:
        print(f"  not included (plan period over): {skipped}")
    return 0


def _kpi_writer(paths: Paths):
    """The KPI files (plans/<plan_id>/kpis.csv, kpis.png) each version carries."""
    from pipeline.designations.kpis import write_plan_kpis

    return lambda folder, revisions: write_plan_kpis(paths, folder, revisions)


def _version(text: str) -> int:
    digits = text.lower().removeprefix("v")
    if not digits.isdigit() or int(digits) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: a version is a number, e.g. 1 or v0001")
    return int(digits)


def ichiran_diff(args: argparse.Namespace) -> int:
    from pipeline.designations.publish import PublishError, diff

    try:
        changes = diff(Paths.from_env(), args.version_a, args.version_b)
    except PublishError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(changes, ensure_ascii=False, indent=2))
        return 0
    for c in changes:
        sign = "+" if c["change"] == "added" else "-"
        who = c["corporate_number"] or f"企業コード {c['vendor_code']}"
        print(f"{sign} {who} {c['name'] or ''}  "
              f"{c['prefecture_code']} {c['prefecture_name']}  "
              f"plan {c['plan_id']}「{c['plan_title']}」")  # fmt: skip
    added = sum(c["change"] == "added" for c in changes)
    print(f"v{args.version_a:04d} → v{args.version_b:04d}: {added} added, {len(changes) - added} removed")
    return 0


def ichiran_lookup(args: argparse.Namespace) -> int:
    import datetime as dt

    from pipeline.designations.lookup import LookupError_, lookup, lookup_file, render, today_in_japan

    paths = Paths.from_env()
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else today_in_japan()
    if (args.file is None) == (args.corporate_number is None):
        print("error: give one 法人番号, or --file numbers.csv --out result.csv", file=sys.stderr)
        return 2
    try:
        if args.file:
            if not args.out:
                print("error: --file needs --out result.csv", file=sys.stderr)
                return 2
            counts = lookup_file(paths, Path(args.file), Path(args.out), as_of)
            print(f"{sum(counts.values())} rows on {as_of}: {counts['listed']} listed, "
                  f"{counts['not_listed']} not listed, {counts['invalid']} invalid → {args.out}")  # fmt: skip
            return 0
        answer = lookup(paths, args.corporate_number, as_of)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except LookupError_ as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(answer, ensure_ascii=False, indent=2, default=str) if args.json else render(answer))
    return 0


def add_ichiran_parsers(sub) -> None:
    i = sub.add_parser(
        "ichiran", help="重点支援企業一覧: publish a version, diff two, look a firm up by date"
    )
    actions = i.add_subparsers(dest="ichiran_action", required=True)
    p = actions.add_parser("publish", help="write the next version from every approved plan")
    p.add_argument("--effective", required=True, type=_date_argument, help="YYYY-MM-DD it takes effect")
    p.set_defaults(handler=ichiran_publish)
    d = actions.add_parser("diff", help="firms added and removed between two versions")
    d.add_argument("version_a", type=_version)
    d.add_argument("version_b", type=_version)
    d.add_argument("--json", action="store_true")
    d.set_defaults(handler=ichiran_diff)
    lk = actions.add_parser("lookup", help="is a firm on the 一覧 on a date (default: today in Japan)")
    lk.add_argument("corporate_number", nargs="?")
    lk.add_argument("--as-of", type=_date_argument, help="YYYY-MM-DD, e.g. the application date")
    lk.add_argument("--json", action="store_true")
    lk.add_argument("--file", help="bulk: a CSV with a column corporate_number (or 法人番号)")
    lk.add_argument("--out", help="bulk: where to write every input row with its status (UTF-8 BOM CSV)")
    lk.set_defaults(handler=ichiran_lookup)
