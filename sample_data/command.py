"""`python -m pipeline sample`: contract-conforming sample data, added to the pipeline's command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.settings import Paths


def sample(args: argparse.Namespace) -> int:
    from sample_data.generate import write_sample

    if args.register:  # the NTA-layout register sample, matching the tiny sample's firms
        from sample_data.register import write_register_sample

        out = Path(args.out) if args.out else Paths.from_env().houjin_dir
        files = write_register_sample(out, fiscal_year=args.year)
        print(f"wrote a corporate register of {sum(files.values()):,} rows in {len(files)} files to {out}")
        return 0

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


def register(sub: argparse._SubParsersAction) -> None:
    """Add `sample` to the pipeline's command line (entry point `pipeline.commands`)."""
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
    s.add_argument(
        "--register",
        action="store_true",
        help="write instead a small 国税庁 corporate register in the NTA layout (default: HOUJIN_DIR)",
    )
    s.set_defaults(handler=sample)
