"""Legal size classes at every boundary of the law's two tables, run through the
real transform (firm_size_classes.sql) on a real DuckDB."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.warehouse.connection import sql_for_year
from pipeline.warehouse.schema import load_macros

M = 1_000_000
CASES = [
    # (division, code, employees, capital, expected class) — manufacturing and the rest: ¥300M / 300
    ("E", "09", 20, None, "小規模企業者"),
    ("E", "09", 21, None, "中小企業者"),
    ("E", "09", 300, None, "中小企業者"),
    ("E", "09", 301, 300 * M, "中小企業者"),
    ("E", "09", 301, 300 * M + 1, "中堅企業"),
    ("E", "09", 2000, 300 * M + 1, "中堅企業"),
    ("E", "09", 2001, 300 * M + 1, "大企業"),
    ("E", "09", 2001, 300 * M, "中小企業者"),
    ("D", "06", 301, 300 * M + 1, "中堅企業"),
    ("H", "44", 300, 10_000 * M, "中小企業者"),
    # wholesale: ¥100M / 100, 小規模 ≤ 5
    ("I", "50", 5, None, "小規模企業者"),
    ("I", "50", 6, None, "中小企業者"),
    ("I", "55", 100, None, "中小企業者"),
    ("I", "55", 101, 100 * M, "中小企業者"),
    ("I", "55", 101, 100 * M + 1, "中堅企業"),
    # retail (incl. 飲食店 76): ¥50M / 50, 小規模 ≤ 5
    ("I", "56", 5, None, "小規模企業者"),
    ("I", "56", 6, None, "中小企業者"),
    ("I", "61", 50, None, "中小企業者"),
    ("I", "61", 51, 50 * M, "中小企業者"),
    ("I", "61", 51, 50 * M + 1, "中堅企業"),
    ("M", "76", 51, 50 * M + 1, "中堅企業"),
    # services: ¥50M / 100, 小規模 ≤ 5
    ("L", "72", 5, None, "小規模企業者"),
    ("L", "72", 6, None, "中小企業者"),
    ("L", "72", 100, None, "中小企業者"),
    ("L", "72", 101, 50 * M, "中小企業者"),
    ("L", "72", 101, 50 * M + 1, "中堅企業"),
    ("R", "92", 2001, 50 * M + 1, "大企業"),
    # exception: rubber products other than tyres and belts, ¥300M / 900
    ("E", "199", 900, 10_000 * M, "中小企業者"),
    ("E", "1933", 901, 300 * M, "中小企業者"),
    ("E", "1933", 901, 300 * M + 1, "中堅企業"),
    ("E", "191", 301, 300 * M + 1, "中堅企業"),  # tyres: the ordinary 300
    ("E", "1931", 301, 300 * M + 1, "中堅企業"),  # industrial belts: the ordinary 300
    ("E", "1932", 900, 300 * M + 1, "中小企業者"),  # rubber hoses: the exception
    ("E", "19", 901, 300 * M + 1, "中堅企業"),  # above both readings: they agree
    # exception: software and information processing, ¥300M / 300 (services would be 100)
    ("G", "39", 5, None, "小規模企業者"),
    ("G", "39", 6, None, "中小企業者"),
    ("G", "391", 300, None, "中小企業者"),
    ("G", "392", 301, 300 * M, "中小企業者"),
    ("G", "39", 301, 300 * M + 1, "中堅企業"),
    ("G", "40", 101, 50 * M + 1, "中堅企業"),  # internet services: ordinary services
    # exception: 旅館業, ¥50M / 200, 小規模 ≤ 20 (宿泊業・娯楽業)
    ("M", "751", 20, None, "小規模企業者"),
    ("M", "751", 21, None, "中小企業者"),
    ("M", "751", 200, None, "中小企業者"),
    ("M", "751", 201, 50 * M, "中小企業者"),
    ("M", "751", 201, 50 * M + 1, "中堅企業"),
    ("M", "752", 101, 50 * M + 1, "中堅企業"),  # 簡易宿所: lodging, services' 100
    ("N", "80", 20, None, "小規模企業者"),  # 娯楽業: 小規模 ≤ 20
    ("N", "80", 21, None, "中小企業者"),
    # a 中分類 is given as 1 digit or without its code where every reading agrees
    ("A", "01", 20, None, "小規模企業者"),
    ("I", None, 5, None, "小規模企業者"),
    ("I", None, 50, None, "中小企業者"),
]
UNKNOWN = [
    # (division, code, employees, capital, words the reason must contain)
    ("E", "09", 301, None, "capital_jpy がなく"),  # missing capital decides nothing above 300
    ("I", None, 80, None, "卸売業 → 中小企業者、小売業 → unknown"),  # wholesale or retail?
    ("E", "19", 500, 300 * M + 1, "ゴム製品製造業"),  # tyres or other rubber?
    ("M", "75", 150, 50 * M + 1, "旅館業"),  # 旅館 or other lodging?
    ("E", "56", 50, None, "大分類 E に属さない"),
    ("E", "x1", 50, None, "「x1」"),
]


def _classify(rows: list[tuple]) -> dict[str, tuple[str, str | None]]:
    with duckdb.connect() as con:
        load_macros(con)
        con.execute(
            "create table staged_firms (fiscal_year integer, firm_id varchar, prefecture_code "
            "varchar, jsic_division varchar, jsic_major varchar, employees bigint, capital_jpy bigint)"
        )
        con.executemany(
            "insert into staged_firms values (2025, ?, '13', ?, ?, ?, ?)",
            [(str(n), *row) for n, row in enumerate(rows)],
        )
        result = con.execute(sql_for_year("firm_size_classes", 2025)).fetchall()
        columns = [d[0] for d in con.description]
    named = [dict(zip(columns, r, strict=True)) for r in result]
    return {r["firm_id"]: (r["size_class"], r["size_class_reason"]) for r in named}


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}{c[1]}-{c[2]}-{c[3]}" for c in CASES])
def test_size_class_at_each_boundary(case):
    *firm, expected = case
    assert _classify([tuple(firm)])["0"] == (expected, None)


@pytest.mark.parametrize("case", UNKNOWN, ids=[f"{c[0]}{c[1]}-{c[2]}-{c[3]}" for c in UNKNOWN])
def test_undecidable_firms_are_unknown_with_a_reason(case):
    *firm, words = case
    size_class, reason = _classify([tuple(firm)])["0"]
    assert size_class == "unknown"
    assert words in reason


def test_every_staged_firm_gets_exactly_one_class():
    rows = [(c[0], c[1], c[2], c[3]) for c in CASES + UNKNOWN]
    assert len(_classify(rows)) == len(rows)
