"""`python -m pipeline assess`: the command line."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import duckdb

from pipeline.commands.assess.errors import AssessmentError, EvidenceError
from pipeline.commands.assess.records import run_assessment
from pipeline.commands.assess.report import render_text, to_json
from pipeline.commands.explain import FirmAsked
from pipeline.settings import Paths


def _fiscal_year(text: str) -> int:
    if not re.fullmatch(r"[0-9]{4}", text):
        raise argparse.ArgumentTypeError(f"{text!r}: a fiscal year is four digits, e.g. 2025")
    return int(text)


def add_parser(subparsers) -> None:
    """The `assess` subcommand."""
    a = subparsers.add_parser(
        "assess",
        help="assess a prefecture's nomination of a firm with evidence (証憑) of its transactions",
    )
    a.add_argument("corporate_number", nargs="?", help="法人番号 (13 digits) of the nominated firm")
    a.add_argument(
        "--vendor-code",
        help="the nominated firm by the data vendor's firm code instead (a 個人 has no 法人番号)",
    )
    a.add_argument(
        "--evidence",
        required=True,
        help="CSV (UTF-8 or CP932): direction, counterparty_corporate_number, "
        "counterparty_prefecture_code, amount_jpy[, counterparty_name]",
    )
    a.add_argument(
        "--year", required=True, type=_fiscal_year, help="fiscal year of the publication, e.g. 2025"
    )
    a.add_argument("--json", action="store_true", help="print the assessment as JSON")
    a.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    """Exit 0 with the assessment (whatever its verdict); 2 when it cannot be made."""
    try:
        asked = FirmAsked.from_command_line(args.corporate_number, args.vendor_code)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        assessment = run_assessment(Paths.from_env(), asked, args.year, Path(args.evidence))
    except EvidenceError as e:
        for problem in e.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(
            f"error: the evidence has {len(e.problems)} problem(s); nothing was assessed or recorded",
            file=sys.stderr,
        )
        return 2
    except AssessmentError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except duckdb.IOException as e:
        print(f"error: cannot use the warehouse (is a run in progress?): {e}", file=sys.stderr)
        return 2
    for warning in assessment["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    print(to_json(assessment) if args.json else render_text(assessment), end="" if args.json else "\n")
    return 0
