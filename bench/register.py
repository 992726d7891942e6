"""`python bench/register.py [--firms F.parquet] [--rows N] [--cache DIR] [--out REPORT.md]`: the
register's performance figure: a register of N rows (default 5,000,000) in the NTA's layout,
zipped per prefecture (odd prefecture codes Shift_JIS, even ones Unicode, as the sample), is
generated once against the national firms sample, then read and reconciled against those
firms in a fresh process, timed from the first file read to the year's matches written.

The register holds every firm of the sample (2% closed, 1% in another prefecture, 1% renamed,
0.5% left out) and enough other numbers to reach N rows. Prints one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.reference.prefectures import PREFECTURE_NAMES  # noqa: E402
from pipeline.stages.register.layout import COLUMNS  # noqa: E402
from sample_data.generate import check_digits  # noqa: E402
from sample_data.register import ROMAJI  # noqa: E402

DATE = "20260331"
SEED = 19
GENERATOR = 3  # in the cache's folder name: a register made by an older generator is made again


def _register_frame(firms: pl.DataFrame, rows: int) -> pl.DataFrame:
    rng = np.random.default_rng(SEED)
    n = firms.height
    kept = firms.filter(pl.Series(rng.random(n) >= 0.005))
    m = kept.height
    roll = rng.random(m)
    roll[:3] = (0.0, 0.015, 0.03)[:m]  # one moved, one renamed and one closed firm at any size
    codes = kept["prefecture_code"].to_numpy()
    moved = roll < 0.01
    codes = np.where(moved, np.where(codes == "13", "27", "13"), codes)
    names = kept["name"].to_numpy().astype(object)
    renamed = (roll >= 0.01) & (roll < 0.02)
    names[renamed] = "株式会社新" + names[renamed]
    closed = (roll >= 0.02) & (roll < 0.04)
    extra = max(rows - m, 0)
    bases = rng.choice(10**12, size=extra, replace=False)
    other = (check_digits(bases) * 10**12 + bases).astype(str)
    other_codes = np.array(sorted(PREFECTURE_NAMES))[rng.integers(0, 47, size=extra)]
    number = np.concatenate([kept["corporate_number"].to_numpy().astype(str), other])
    pref = np.concatenate([codes, other_codes])
    name = np.concatenate([names, np.char.add("株式会社登記", np.arange(extra).astype(str)).astype(object)])
    is_closed = np.concatenate([closed, rng.random(extra) < 0.3])  # closed firms stay in the file
    frame = pl.DataFrame({"corporate_number": number, "prefecture_code": pref, "name": name})
    total = frame.height
    names_of = pl.Series([PREFECTURE_NAMES[c] for c in sorted(PREFECTURE_NAMES)])
    pref_name = pl.DataFrame({"prefecture_code": sorted(PREFECTURE_NAMES), "prefecture_name": names_of})
    frame = frame.join(pref_name, on="prefecture_code", how="left", maintain_order="left")
    empty = pl.lit("")
    return frame.select(
        pl.int_range(1, total + 1).cast(pl.String).alias("sequence_number"),
        "corporate_number",
        pl.Series(np.where(is_closed, "21", "01")).alias("process"),
        pl.lit("0").alias("correct"),
        pl.lit("2025-11-04").alias("update_date"),
        pl.lit("2015-10-05").alias("change_date"),
        "name",
        empty.alias("name_image_id"),
        pl.lit("301").alias("kind"),
        "prefecture_name",
        pl.lit("中央区").alias("city_name"),
        pl.lit("本町１丁目２番３号").alias("street_number"),
        empty.alias("address_image_id"),
        "prefecture_code",
        pl.lit("101").alias("city_code"),
        pl.lit("1000001").alias("post_code"),
        *(empty.alias(c) for c in ("address_outside", "address_outside_image_id")),
        pl.Series(np.where(is_closed, "2025-06-30", "")).alias("close_date"),
        pl.Series(np.where(is_closed, "01", "")).alias("close_cause"),
        *(empty.alias(c) for c in ("successor_corporate_number", "change_cause")),
        pl.lit("2015-10-05").alias("assignment_date"),
        pl.lit("1").alias("latest"),
        *(empty.alias(c) for c in COLUMNS[24:29]),
        pl.lit("0").alias("hihyoji"),
    )


def generate(firms_path: Path, rows: int, folder: Path) -> None:
    marker = folder / ".complete"
    if marker.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    # A 個人 has no 法人番号 and is not in the register.
    firms = pl.read_parquet(firms_path, columns=["corporate_number", "name", "prefecture_code"]).filter(
        pl.col("corporate_number").is_not_null()
    )
    frame = _register_frame(firms, rows)
    for (code,), part in frame.partition_by("prefecture_code", as_dict=True).items():
        text = part.write_csv(include_header=False, quote_style="non_numeric", line_terminator="\r\n")
        stem = f"{code}_{ROMAJI[int(code) - 1]}_all_{DATE}"
        data = text.encode("cp932" if int(code) % 2 else "utf-8")
        with zipfile.ZipFile(folder / f"{stem}.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            archive.writestr(f"{stem}.csv", data)
    marker.write_text(f"{rows}\n")


_TIMED = """
import json, sys, time
from pathlib import Path
import duckdb
start = time.perf_counter()
from pipeline.stages.register.files import locate_register
from pipeline.stages.register.load import load_register, mark_register_checked
from pipeline.stages.register.reconcile import reconcile, match_summary
from pipeline.warehouse.connection import sql_text, transaction
register, database, firms = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
con = duckdb.connect(str(database), config={"preserve_insertion_order": True})
con.execute(sql_text("firm_identity"))
con.execute(sql_text("macros"))
con.execute(sql_text("tables/firm_register_matches"))  # the warehouse's table, which the year fills
con.execute("create table staged_firms as select 2025 as fiscal_year, corporate_number, name, "
            "prefecture_code, prefecture_code as vendor_prefecture_code from read_parquet(?)", [firms])
ready = time.perf_counter()
loaded = load_register(con, locate_register(register), database.parent / "register-work")
read = time.perf_counter()
mark_register_checked(con, loaded.version)
with transaction(con):
    reconcile(con, 2025)
done = time.perf_counter()
print(json.dumps({"register_rows": loaded.rows, "read_s": round(read - ready, 2),
                  "reconcile_s": round(done - read, 2), "read_and_reconcile_s": round(done - ready, 2),
                  "matches": match_summary(con, 2025)}))
"""


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--firms", default=str(ROOT / "bench/cache/national/parquet/2025/firms.parquet"))
    p.add_argument("--rows", type=int, default=5_000_000)
    p.add_argument("--cache", default=str(ROOT / "bench/cache/register"))
    p.add_argument(
        "--out", help="also write the figures as a section of this report (make bench: BENCHMARKS.md)"
    )
    args = p.parse_args()
    folder = Path(args.cache) / f"houjin-{args.rows}-v{GENERATOR}"
    started = time.perf_counter()
    generate(Path(args.firms), args.rows, folder)
    generated = time.perf_counter() - started
    database = Path(args.cache) / "bench.duckdb"
    database.unlink(missing_ok=True)
    load_before = os.getloadavg()[0]
    used_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = subprocess.run(
        [sys.executable, "-c", _TIMED, str(folder), str(database), args.firms],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        print(child.stderr[-2000:], file=sys.stderr)
        return 1
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = used.ru_utime + used.ru_stime - used_before.ru_utime - used_before.ru_stime
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    # The machine's share: the CPU the timed process (and its iconv processes) used, start to
    # end (setting up included), and the 1-minute load average before and after.
    figures |= {
        "process_cpu_s": round(cpu, 1),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    zipped = sum(f.stat().st_size for f in folder.glob("*.zip"))
    figures |= {"zip_bytes": zipped, "generated_s": round(generated, 1)}
    print(json.dumps(figures, ensure_ascii=False))
    if args.out:
        write_section(Path(args.out), figures)
        print(f"wrote the register's section of {args.out}", file=sys.stderr)
    return 0


TARGET_S = 15  # a 5M-row register read and reconciled against 2M firms
HEADING = "## The 国税庁 register (`bench/register.py`)"


def section(figures: dict) -> str:
    """The register's figures as a section of BENCHMARKS.md."""
    total = figures["read_and_reconcile_s"]
    verdict = "met" if total <= TARGET_S else "**not met**"
    matches = figures["matches"]
    rows = [
        (
            "register rows (NTA layout, zipped per prefecture, odd prefectures Shift_JIS)",
            f"{figures['register_rows']:,}",
        ),
        ("zipped bytes", f"{figures['zip_bytes']:,}"),
        ("staged firms with a 法人番号 reconciled", f"{matches['firms']:,}"),
        ("of them found in the register", f"{matches['found']:,}"),
        ("read (decode, parse, apply), s", f"{figures['read_s']:.2f}"),
        ("reconciliation, s", f"{figures['reconcile_s']:.2f}"),
        ("read and reconciled, s", f"{total:.2f}"),
        ("CPU of the process and its iconv children, s", f"{figures['process_cpu_s']:.1f}"),
        ("1-minute load average before, after", ", ".join(f"{x:.2f}" for x in figures["load_average"])),
        (f"target: read and reconciled ≤ {TARGET_S} s", verdict),
    ]
    lines = [
        HEADING,
        "",
        "Written by `make bench` (its second step), in a fresh process, timed from the "
        "first file read to the year's matches written.",
        "",
        "| figure | value |",
        "| --- | ---: |",
    ]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines) + "\n"


def write_section(path: Path, figures: dict) -> None:
    """Put the register's section into `path` (the report `python -m bench` wrote), in place of
    the one there, before the Method section."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if HEADING in text:
        before, _, rest = text.partition(HEADING)
        after = rest[rest.find("\n## ") + 1 :] if "\n## " in rest else ""
        text = before + after
    new = section(figures) + "\n"
    at = text.find("## Method")
    if at < 0:  # no Method section: at the end
        at = len(text)
        new = ("\n" if text and not text.endswith("\n") else "") + new
    path.write_text(text[:at] + new + text[at:], encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
