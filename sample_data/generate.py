"""Deterministic synthetic firms and transactions laid out as the input data contract.

`write_sample` writes `<out_dir>/<fiscal_year>/firms.{csv,parquet}` and
`transactions.{csv,parquet}` the way a firm-database vendor would deliver them
(data contract §1), for tests, demos and benchmarks. Everything is numpy-vectorised,
so the national size (2M firms, ~19M transactions) takes well under a minute.
The same arguments give byte-identical files; the fiscal year is mixed into the
seed, so each year is a different draw. Rows are sorted by corporate number.

Every firm has a vendor code (9 digits, as 帝国データバンク's). About a third of the firms below
the default size thresholds, and a few above them, are 個人 (sole proprietors): no 法人番号, no
資本金, a name without a legal form, and their transactions name them by vendor code.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.reference.prefectures import PREFECTURES

SIZES: dict[str, int] = {"tiny": 300, "sample": 50_000, "national": 2_000_000}

# JSIC division, what it covers, share of companies, log-sales offset, median sales per employee (¥),
# export bias, and the words its company names end in (every word CP932-encodable).
_DIVISION_TABLE = """\
A agriculture   0.010  -0.3  15e6 -1.0 農園 ファーム 林業 牧場 農産
B fisheries     0.002  -0.2  15e6 -0.5 水産 漁業 マリン 養殖
C mining        0.001   0.3  50e6  0.5 鉱業 砕石 資源開発
D construction  0.170   0.0  30e6 -1.5 建設 工務店 土木 建設工業 設備工業 電設 塗装 組
E manufacturing 0.130   0.4  30e6  2.0 工業 製作所 精機 電機 化学 食品 製菓 鉄工所 金属 印刷 製薬 技研
F utilities     0.003   1.0 100e6 -1.0 電力 ガス エネルギー 水道サービス
G information   0.035   0.1  25e6  0.5 システム ソフト 情報サービス 通信 ネットワークス メディア
H transport     0.035   0.3  20e6  0.3 運輸 運送 物流 交通 倉庫 海運 ロジスティクス
I trade         0.220   0.3  50e6  1.5 商事 商店 物産 産業 販売 商会 ストア 薬局 トレーディング
J finance       0.015   0.3  60e6 -0.5 ファイナンス キャピタル 証券 リース 保険サービス
K real-estate   0.110  -0.4  60e6 -2.0 不動産 地所 ハウス 住宅 エステート 興産
L professional  0.070  -0.2  20e6 -0.5 設計 コンサルティング 総合研究所 事務所 デザイン
M hospitality   0.050  -0.3   8e6 -2.0 食堂 ホテル 旅館 フーズ 観光 ダイニング
N personal      0.040  -0.3  12e6 -2.0 クリーニング 美容 サービス 興業 レジャー
O education     0.010  -0.4  10e6 -2.0 学院 教育 ゼミナール スクール
P medical       0.050  -0.1  10e6 -3.0 介護サービス ケアセンター メディカル 調剤薬局
Q compound      0.0005  0.0  15e6 -2.0 協同サービス 総合サービス
R services      0.070  -0.2  12e6 -1.0 サービス 総業 警備保障 ビルメンテナンス 人材センター
S government    0.0001  0.0  20e6 -3.0 公共サービス
T unclassified  0.005  -0.5  20e6 -2.0 企画 総合 興産"""
_DIVISION_ROWS = [line.split() for line in _DIVISION_TABLE.splitlines()]
# JSIC (Rev. 14) 中分類 range of each division, for the optional jsic_major column.
_MAJORS = {
    "A": (1, 2), "B": (3, 4), "C": (5, 5), "D": (6, 8), "E": (9, 32), "F": (33, 36), "G": (37, 41),
    "H": (42, 49), "I": (50, 61), "J": (62, 67), "K": (68, 70), "L": (71, 74), "M": (75, 77),
    "N": (78, 80), "O": (81, 82), "P": (83, 85), "Q": (86, 87), "R": (88, 96), "S": (97, 98), "T": (99, 99),
}  # fmt: skip
_DIVISIONS = [row[0] for row in _DIVISION_ROWS]
_SHARE, _SALES_OFFSET, _SALES_PER_EMPLOYEE, _EXPORT_BIAS = np.array(
    [row[2:6] for row in _DIVISION_ROWS], float
).T
_DIVISION_WORDS = [row[6:] for row in _DIVISION_ROWS]
_STEMS = """山田 田中 佐藤 鈴木 高橋 伊藤 渡辺 中村 小林 加藤 吉田 山本 松本 井上 木村 清水 山崎 池田
橋本 石川 前田 藤田 岡田 後藤 長谷川 村上 日本 東洋 大和 富士 三和 中央 協和 太平洋 北斗 旭 昭和
大成 光 丸 東邦 信和 共栄 明治 不二 千代田 朝日 日之出 サンライズ テクノ グローバル アクア エコ
フロンティア ライフ ユニオン コスモ ミライ アルファ トータル ダイヤ エース ヒカリ ハート グリーン ＡＢＣ"""
_NUMBERED = "第一 第二 第三 新 ニュー 21世紀 三共 四国 五洋 八千代 百番 千年"
_TAILS = "ホールディングス ジャパン 21 ２１ 本店 グループ"
_FORMS = ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社")
_FORM_SHARES = (0.76, 0.15, 0.07, 0.015, 0.005)
# Legal but rare names, so that RFC 4180 quoting is exercised downstream.
_QUOTED_NAMES = (
    "ワールド,トレード株式会社",
    '株式会社"ミライ"',
    "Tanaka, Sato & Co.合同会社",
    '有限会社丸"大"商店',
)
_INDIVIDUAL_SHARES = (1 / 3, 0.002)  # of the firms below / at or above the default size thresholds
_LEGAL_FORM_WORDS = "|".join(_FORMS)
_LINKS_PER_FIRM = 9.8  # drawn; dropping self-links and repeated pairs leaves ~9.5
_SCOPE = (0.60, 0.25)  # share of links to the same / a neighbouring prefecture; the rest go anywhere
_CHUNK_ROWS = 1_000_000


@dataclass
class _Firms:
    number: np.ndarray  # int64 法人番号; the check digit is never 0, so the text needs no padding
    pref: np.ndarray  # index into PREFECTURES
    division: np.ndarray  # index into _DIVISIONS
    sales: np.ndarray
    employees: np.ndarray
    capital: np.ndarray
    export: np.ndarray
    name: pa.Array

    def take(self, order: np.ndarray) -> _Firms:
        return _Firms(*(getattr(self, f.name).take(order) for f in fields(self)))


def check_digits(bases: np.ndarray) -> np.ndarray:
    """法人番号 check digits for an array of 12-digit bases (as corporate_number.check_digit)."""
    total = np.zeros(len(bases), dtype=np.int64)
    rest = bases.astype(np.int64)
    for position in range(1, 13):
        total += (rest % 10) * (1 if position % 2 else 2)
        rest //= 10
    return 9 - total % 9


def _corporate_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    bases = rng.choice(10**12, size=n, replace=False)
    return check_digits(bases) * 10**12 + bases


def _prefectures(rng: np.random.Generator, n: int) -> np.ndarray:
    """Prefecture index per firm, in contiguous blocks so links can be drawn per block."""
    shares = np.array([p.firm_share for p in PREFECTURES])
    floor = 1 if n >= len(shares) else 0  # so that every sample but a toy one covers all 47
    counts = rng.multinomial(n - floor * len(shares), shares) + floor
    return np.repeat(np.arange(len(shares)), counts)


def _firm_sizes(rng: np.random.Generator, pref: np.ndarray, division: np.ndarray) -> tuple[np.ndarray, ...]:
    n = len(pref)
    pref_offset = np.zeros(len(PREFECTURES))
    pref_offset[[12, 22, 26]] = (0.4, 0.15, 0.15)  # large firms keep head offices in Tokyo, Aichi, Osaka
    offset = _SALES_OFFSET[division] + pref_offset[pref]
    # Lognormal around a ¥70M median; sigma 2.1 puts ~1% of firms at ≥ ¥10bn.
    log_sales = np.log(70e6) + offset - offset.mean() + 2.1 * rng.standard_normal(n)
    sales = np.maximum(np.round(np.exp(np.minimum(log_sales, np.log(3e13))) / 1e3), 1) * 1000
    employees = np.floor(sales / (_SALES_PER_EMPLOYEE[division] * np.exp(0.5 * rng.standard_normal(n))))
    capital = sales * 0.05 * np.exp(rng.standard_normal(n))
    unit = np.where(capital < 1e9, 1e6, 1e8)  # 資本金 comes in round figures
    capital = np.maximum(np.round(capital / unit), 1) * unit
    return sales.astype(np.int64), employees.astype(np.int64), capital.astype(np.int64)


def _export_sales(rng: np.random.Generator, sales: np.ndarray, division: np.ndarray) -> np.ndarray:
    """5% of firms export, mostly large manufacturers and wholesalers; 0 < export ≤ sales."""
    size = np.log(sales)
    score = (
        0.8 * (size - size.mean()) / max(size.std(), 1e-9)
        + _EXPORT_BIAS[division]
        + rng.gumbel(size=len(sales))
    )
    n_exporters = round(0.05 * len(sales))
    exporters = np.argpartition(-score, n_exporters)[:n_exporters]
    export = np.zeros(len(sales), dtype=np.int64)
    share = rng.beta(1.2, 4.0, size=n_exporters)
    export[exporters] = np.clip(np.floor(sales[exporters] * share / 1e3) * 1000, 1000, sales[exporters])
    return export


def _take(vocab: list[str] | tuple[str, ...], index: np.ndarray) -> pa.Array:
    return pa.array(vocab, type=pa.string()).take(pa.array(index))


def _names(rng: np.random.Generator, pref: np.ndarray, division: np.ndarray) -> pa.Array:
    """商号 such as 株式会社山田建設 or 広島第一商事株式会社, plus a few that need CSV quoting."""
    n = len(pref)
    forms = ["", *_FORMS]
    form = rng.choice(len(_FORMS), size=n, p=_FORM_SHARES) + 1
    in_front = rng.random(n) < 0.5  # 前株 (株式会社山田) or 後株 (山田株式会社)
    places = [p.name if p.code == "01" else p.name[:-1] for p in PREFECTURES]  # 広島県 -> 広島
    heads = ["", *places, *_NUMBERED.split()]
    kind = rng.random(n)
    head = np.where(kind < 0.25, 1 + pref, 0)
    head = np.where(kind > 0.85, 1 + len(places) + rng.integers(len(heads) - 1 - len(places), size=n), head)
    count = np.array([len(words) for words in _DIVISION_WORDS])
    word = (np.cumsum(count) - count)[division] + (rng.random(n) * count[division]).astype(np.int64)
    tails = ["", *_TAILS.split()]
    tail = np.where(rng.random(n) < 0.08, rng.integers(1, len(tails), size=n), 0)
    names = pc.binary_join_element_wise(
        _take(forms, np.where(in_front, form, 0)),
        _take(heads, head),
        _take(_STEMS.split(), rng.integers(len(_STEMS.split()), size=n)),
        _take(sum(_DIVISION_WORDS, []), word),
        _take(tails, tail),
        _take(forms, np.where(in_front, 0, form)),
        "",
    )
    quoted = np.zeros(n, dtype=bool)
    quoted[rng.choice(n, size=min(n, max(len(_QUOTED_NAMES), n // 20_000)), replace=False)] = True
    replacements = _take(_QUOTED_NAMES, np.arange(quoted.sum()) % len(_QUOTED_NAMES))
    return pc.replace_with_mask(names, pa.array(quoted), replacements)


def _firms(rng: np.random.Generator, n: int) -> _Firms:
    pref = _prefectures(rng, n)
    division = rng.choice(len(_DIVISIONS), size=n, p=_SHARE / _SHARE.sum())
    sales, employees, capital = _firm_sizes(rng, pref, division)
    export = _export_sales(rng, sales, division)
    number = _corporate_numbers(rng, n)
    return _Firms(number, pref, division, sales, employees, capital, export, _names(rng, pref, division))


def _draw_in_ranges(rng: np.random.Generator, cum: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """One index in [lo, hi) per row, drawn ∝ weight, where cum = [0, *cumsum(weight)]."""
    x = cum[lo] + rng.random(len(lo)) * (cum[hi] - cum[lo])
    return np.clip(np.searchsorted(cum, x, side="right") - 1, lo, hi - 1)


def _local_links(rng: np.random.Generator, pref: np.ndarray, weight: np.ndarray, n_links: int) -> tuple:
    """Links around each firm: mostly same or neighbouring prefecture, partners drawn ∝ weight."""
    n = len(pref)
    starts = np.searchsorted(pref, np.arange(len(PREFECTURES) + 1))
    cum = np.concatenate(([0.0], np.cumsum(weight)))
    # Every firm starts a link; bigger firms start more and are picked more (preferential by sales).
    focal = np.repeat(np.arange(n), 1 + rng.poisson(max(n_links / n - 1, 0) * weight))
    target = pref[focal]
    scope = rng.random(len(focal))
    to_neighbour = (scope >= _SCOPE[0]) & (scope < sum(_SCOPE))
    codes = [p.code for p in PREFECTURES]
    neighbours = np.array([codes.index(c) for p in PREFECTURES for c in p.neighbours])
    ptr = np.cumsum([0] + [len(p.neighbours) for p in PREFECTURES])
    neighbour_cum = np.concatenate(([0.0], np.cumsum(np.diff(cum[starts])[neighbours])))
    origin = target[to_neighbour]
    target[to_neighbour] = neighbours[_draw_in_ranges(rng, neighbour_cum, ptr[origin], ptr[origin + 1])]
    lo, hi = starts[target], starts[target + 1]
    anywhere = (scope >= sum(_SCOPE)) | (lo == hi)  # also when a toy sample left the prefecture empty
    lo[anywhere], hi[anywhere] = 0, n
    partner = _draw_in_ranges(rng, cum, lo, hi)
    sells = rng.random(len(focal)) < 0.5
    return np.where(sells, focal, partner), np.where(sells, partner, focal)


def _hub_links(rng: np.random.Generator, pref: np.ndarray, sales: np.ndarray) -> tuple:
    """The largest firms of each prefecture (1 per 2,000 firms) buy from many local suppliers."""
    starts = np.searchsorted(pref, np.arange(len(PREFECTURES) + 1))
    size = np.diff(starts)
    order = np.lexsort((-sales, pref))  # by prefecture, largest first
    rank = np.arange(len(pref)) - starts[pref[order]]
    hubs = order[rank < np.maximum(1, np.round(size / 2000))[pref[order]]]
    local = size[pref[hubs]]
    hubs, local = hubs[local > 1], local[local > 1]
    n_suppliers = np.clip(
        np.round(local * rng.uniform(0.005, 0.02, len(hubs))), 1, np.minimum(3000, local - 1)
    )
    customer = np.repeat(hubs, n_suppliers.astype(np.int64))
    block = pref[customer]
    supplier = starts[block] + (rng.random(len(customer)) * size[block]).astype(np.int64)
    return supplier, customer


def _unique_pairs(supplier: np.ndarray, customer: np.ndarray, hub: np.ndarray, n: int) -> tuple:
    """Drop self-links and repeated pairs, sorted by pair; a hub link wins over its duplicate."""
    keep = supplier != customer
    key = (supplier[keep] * n + customer[keep]) * 2 + ~hub[keep]
    key.sort()
    pair = key >> 1
    first = np.ones(len(key), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    key = key[first]
    return (key >> 1) // n, (key >> 1) % n, (key & 1) == 0


def _amounts(
    rng: np.random.Generator, firms: _Firms, supplier: np.ndarray, customer: np.ndarray, hub: np.ndarray
) -> np.ndarray:
    """Split a share of each supplier's domestic sales over its customers, Dirichlet-like."""
    b2b = (firms.sales - firms.export) * rng.beta(5.0, 3.0, size=len(firms.sales))
    # Larger customers buy more; a hub is its small suppliers' main customer.
    gain = rng.gamma(0.8, size=len(supplier)) * firms.sales[customer] ** 0.3 * np.where(hub, 5.0, 1.0)
    total = np.bincount(supplier, weights=gain, minlength=len(firms.sales))
    return np.maximum(np.floor(b2b[supplier] * gain / total[supplier]), 1).astype(np.int64)


def _text(numbers: np.ndarray) -> pa.Array:
    return pa.array(numbers).cast(pa.string())


@dataclass
class _Identity:
    vendor: np.ndarray  # int64 vendor code, 9 digits, unique
    individual: np.ndarray  # bool: a 個人, without a 法人番号

    def numbers(self, number: np.ndarray, rows: np.ndarray | slice = slice(None)) -> pa.Array:
        """The 法人番号 cells of the firms at `rows`: empty for a 個人."""
        return pc.if_else(pa.array(self.individual[rows]), pa.scalar(None, pa.string()), _text(number[rows]))

    def codes(self, rows: np.ndarray | slice = slice(None), only_individual: bool = False) -> pa.Array:
        """The vendor codes of the firms at `rows`; with `only_individual`, only a 個人's."""
        codes = _text(self.vendor[rows])
        if only_individual:
            codes = pc.if_else(pa.array(self.individual[rows]), codes, pa.scalar(None, pa.string()))
        return codes


def _identity(seed: int, fiscal_year: int, f: _Firms) -> _Identity:
    """Vendor codes and legal forms, from a generator of their own: the other columns are drawn
    exactly as before the firms had them."""
    rng = np.random.default_rng([seed, fiscal_year, 19])
    n = len(f.sales)
    vendor = 100_000_000 + rng.choice(900_000_000, size=n, replace=False)
    large = (f.sales >= 1_000_000_000) & (f.employees >= 20)
    individual = rng.random(n) < np.where(large, _INDIVIDUAL_SHARES[1], _INDIVIDUAL_SHARES[0])
    return _Identity(vendor.astype(np.int64), individual)


def _jsic_majors(f: _Firms) -> pa.Array:
    """A 中分類 within each firm's division, taken from its number so that no random draw
    moves; one firm in 33 has none, as in real vendor files."""
    low, high = (np.array([_MAJORS[d][i] for d in _DIVISIONS])[f.division] for i in (0, 1))
    base = f.number % 10**12  # uniform; the check digit in front would bias the residues
    major = low + base % (high - low + 1)
    text = pc.utf8_lpad(_text(major), 2, "0")
    return pc.if_else(pa.array(base % 33 == 0), pa.scalar(None, pa.string()), text)


def _multi_year(f: _Firms, seed: int, fiscal_year: int) -> dict[str, pa.Array]:
    """The composite score's optional columns: operating profit and employees this year (y0) and the two
    before. Drawn from a generator of their own, so no other column moves. Margins vary by
    firm and some firms make losses; one firm in 25 has no history, as in real vendor files."""
    rng = np.random.default_rng([seed, fiscal_year, 8])
    n = len(f.sales)
    margin = rng.normal(0.035, 0.045, size=n)
    growth = rng.normal(0.02, 0.08, size=(2, n))  # this year over last, last over the year before
    sales_back = f.sales / np.exp(np.cumsum(growth, axis=0))
    profit = [f.sales * margin, *(sales_back[i] * (margin + rng.normal(0, 0.01, size=n)) for i in (0, 1))]
    staff_growth = rng.normal(0.01, 0.05, size=(2, n))
    staff = [
        f.employees,
        *(np.rint(f.employees / np.exp(np.cumsum(staff_growth, axis=0)[i])) for i in (0, 1)),
    ]
    missing = pa.array(f.number % 25 == 0)
    columns = {}
    for year in range(3):
        for name, values in (
            (f"operating_profit_jpy_y{year}", profit[year]),
            (f"employees_y{year}", staff[year]),
        ):
            array = pa.array(np.rint(values).astype(np.int64))
            columns[name] = pc.if_else(missing, pa.scalar(None, pa.int64()), array)
    order = [f"operating_profit_jpy_y{y}" for y in range(3)] + [f"employees_y{y}" for y in range(3)]
    return {name: columns[name] for name in order}


def _firm_batches(f: _Firms, who: _Identity, multi_year: dict[str, pa.Array]) -> Iterator[pa.RecordBatch]:
    individual = pa.array(who.individual)
    table = pa.table(
        {
            "corporate_number": who.numbers(f.number),
            # A sole proprietor trades under a name without 株式会社 and has no 資本金.
            "name": pc.if_else(individual, pc.replace_substring_regex(f.name, _LEGAL_FORM_WORDS, ""), f.name),
            "prefecture_code": _take([p.code for p in PREFECTURES], f.pref),
            "jsic_division": _take(_DIVISIONS, f.division),
            "sales_jpy": f.sales,
            "employees": f.employees,
            "capital_jpy": pc.if_else(individual, pa.scalar(None, pa.int64()), pa.array(f.capital)),
            "export_sales_jpy": f.export,
            "jsic_major": _jsic_majors(f),
            **multi_year,
            "vendor_code": who.codes(),
            "legal_form": pc.if_else(individual, pa.scalar("個人"), pa.scalar("法人")),
        }
    )
    return iter(table.to_batches(_CHUNK_ROWS))


def _transaction_batches(
    number: np.ndarray,
    who: _Identity,
    supplier: np.ndarray,
    customer: np.ndarray,
    amount: np.ndarray,
    amount_stated: bool,
) -> Iterator[pa.RecordBatch]:
    """Each side by its 法人番号, or a 個人 by its vendor code (the other code cells empty)."""
    for start in range(0, max(len(amount), 1), _CHUNK_ROWS):  # text columns are built chunk by chunk
        rows = slice(start, start + _CHUNK_ROWS)
        yield pa.RecordBatch.from_pydict(
            {
                "supplier_corporate_number": who.numbers(number, supplier[rows]),
                "customer_corporate_number": who.numbers(number, customer[rows]),
                "amount_jpy": pa.array(amount[rows])
                if amount_stated
                else pa.nulls(len(amount[rows]), pa.int64()),
                "supplier_vendor_code": who.codes(supplier[rows], only_individual=True),
                "customer_vendor_code": who.codes(customer[rows], only_individual=True),
            }
        )


def _write(path: Path, batches: Iterator[pa.RecordBatch], fmt: str, encoding: str) -> None:
    """Stream batches to Parquet, or to RFC 4180 CSV transcoded chunk by chunk."""
    first = next(batches)
    if fmt == "parquet":
        with pq.ParquetWriter(path, first.schema, compression="zstd") as writer:
            for batch in (first, *batches):
                writer.write_batch(batch)
        return
    with path.open("wb") as out:
        for batch in (first, *batches):
            buffer = io.BytesIO()
            pl.from_arrow(batch).write_csv(buffer, include_header=batch is first)  # quotes only if needed
            data = buffer.getvalue()
            out.write(data if encoding == "utf-8" or data.isascii() else data.decode().encode(encoding))


def write_sample(
    out_dir: Path,
    size: str = "sample",
    fmt: str = "csv",
    encoding: str = "utf-8",
    fiscal_year: int = 2025,
    seed: int = 20260401,
    *,
    n_firms: int | None = None,
    amounts: bool = True,
) -> dict[str, int]:
    """Write one fiscal year of synthetic firms and transactions; return the row counts.

    `size` picks a firm count from SIZES unless `n_firms` overrides it. `fmt` is
    "csv" or "parquet"; `encoding` ("utf-8" without BOM, or "cp932") applies to CSV only.
    `amounts=False` leaves amount_jpy empty, as a vendor's partner list is.
    """
    if size not in SIZES or fmt not in ("csv", "parquet"):
        raise ValueError(f"size must be one of {sorted(SIZES)} and fmt csv or parquet, got {size!r}, {fmt!r}")
    encoding = codecs.lookup(encoding).name
    if encoding not in ("utf-8", "cp932"):
        raise ValueError(f"encoding must be 'utf-8' or 'cp932', got {encoding!r}")
    n = SIZES[size] if n_firms is None else n_firms
    if n < 1:
        raise ValueError(f"n_firms must be at least 1, got {n}")
    rng = np.random.default_rng([seed, fiscal_year])
    firms = _firms(rng, n)
    weight = (firms.sales / np.median(firms.sales)) ** 0.55
    hub_supplier, hub_customer = _hub_links(rng, firms.pref, firms.sales)
    n_local = round(_LINKS_PER_FIRM * n) - len(hub_supplier)
    supplier, customer = _local_links(rng, firms.pref, weight / weight.mean(), n_local)
    hub = np.arange(len(hub_supplier) + len(supplier)) < len(hub_supplier)
    # Renumber firms in corporate-number order, so that both files come out sorted by it.
    order = np.argsort(firms.number)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    firms = firms.take(order)
    supplier, customer, hub = _unique_pairs(
        rank[np.concatenate((hub_supplier, supplier))], rank[np.concatenate((hub_customer, customer))], hub, n
    )
    amount = _amounts(rng, firms, supplier, customer, hub)
    year_dir = Path(out_dir) / str(fiscal_year)
    year_dir.mkdir(parents=True, exist_ok=True)
    who = _identity(seed, fiscal_year, firms)
    _write(
        year_dir / f"firms.{fmt}",
        _firm_batches(firms, who, _multi_year(firms, seed, fiscal_year)),
        fmt,
        encoding,
    )
    transactions = _transaction_batches(firms.number, who, supplier, customer, amount, amounts)
    _write(year_dir / f"transactions.{fmt}", transactions, fmt, encoding)
    return {"firms": n, "transactions": len(amount)}
