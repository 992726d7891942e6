"""The 47 prefectures (都道府県) of Japan: JIS X 0401 code, name, firm share, neighbours.

`firm_share` approximates the share of companies (会社企業) by head-office
prefecture in the Economic Census (経済センサス), rounded; it drives the synthetic
sample data, never a published figure. `neighbours` are prefectures reachable by
land or by a fixed link (bridge or tunnel), listed symmetrically.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prefecture:
    """One prefecture: JIS X 0401 code ("01".."47"), official name, firm share, neighbours."""

    code: str
    name: str
    firm_share: float
    neighbours: tuple[str, ...]


# (code, name, approximate % of companies with their head office there, neighbours).
# Hokkaido–Aomori is the Seikan Tunnel; Okinawa has no fixed link, so it is paired
# with Kagoshima, its nearest prefecture, to give every prefecture a neighbour.
_TABLE: tuple[tuple[str, str, float, str], ...] = (
    ("01", "北海道", 4.10, "02"),
    ("02", "青森県", 0.80, "01 03 05"),
    ("03", "岩手県", 0.75, "02 04 05"),
    ("04", "宮城県", 1.60, "03 05 06 07"),
    ("05", "秋田県", 0.65, "02 03 04 06"),
    ("06", "山形県", 0.85, "04 05 07 15"),
    ("07", "福島県", 1.40, "04 06 08 09 10 15"),
    ("08", "茨城県", 2.00, "07 09 11 12"),
    ("09", "栃木県", 1.50, "07 08 10 11"),
    ("10", "群馬県", 1.60, "07 09 11 15 20"),
    ("11", "埼玉県", 4.60, "08 09 10 12 13 19 20"),
    ("12", "千葉県", 3.50, "08 11 13 14"),  # 14 via the Tokyo Bay Aqua-Line
    ("13", "東京都", 16.50, "11 12 14 19"),
    ("14", "神奈川県", 6.00, "12 13 19 22"),
    ("15", "新潟県", 1.90, "06 07 10 16 20"),
    ("16", "富山県", 0.95, "15 17 20 21"),
    ("17", "石川県", 1.05, "16 18 21"),
    ("18", "福井県", 0.75, "17 21 25 26"),
    ("19", "山梨県", 0.70, "11 13 14 20 22"),
    ("20", "長野県", 1.80, "10 11 15 16 19 21 22 23"),
    ("21", "岐阜県", 1.70, "16 17 18 20 23 24 25"),
    ("22", "静岡県", 3.00, "14 19 20 23"),
    ("23", "愛知県", 6.00, "20 21 22 24"),
    ("24", "三重県", 1.25, "21 23 25 26 29 30"),
    ("25", "滋賀県", 0.85, "18 21 24 26"),
    ("26", "京都府", 2.10, "18 24 25 27 28 29"),
    ("27", "大阪府", 7.00, "26 28 29 30"),
    ("28", "兵庫県", 3.80, "26 27 31 33 36"),  # 36 via the Akashi and Naruto bridges
    ("29", "奈良県", 0.75, "24 26 27 30"),
    ("30", "和歌山県", 0.70, "24 27 29"),
    ("31", "鳥取県", 0.50, "28 32 33 34"),
    ("32", "島根県", 0.55, "31 34 35"),
    ("33", "岡山県", 1.40, "28 31 34 37"),  # 37 via the Seto Ohashi Bridge
    ("34", "広島県", 2.30, "31 32 33 35 38"),  # 38 via the Shimanami Kaido
    ("35", "山口県", 0.95, "32 34 40"),  # 40 via the Kanmon Bridge
    ("36", "徳島県", 0.60, "28 37 38 39"),
    ("37", "香川県", 0.90, "33 36 38"),
    ("38", "愛媛県", 1.05, "34 36 37 39"),
    ("39", "高知県", 0.55, "36 38"),
    ("40", "福岡県", 4.00, "35 41 43 44"),
    ("41", "佐賀県", 0.60, "40 42"),
    ("42", "長崎県", 0.85, "41"),
    ("43", "熊本県", 1.35, "40 44 45 46"),
    ("44", "大分県", 0.95, "40 43 45"),
    ("45", "宮崎県", 0.80, "43 44 46"),
    ("46", "鹿児島県", 1.25, "43 45 47"),
    ("47", "沖縄県", 1.25, "46"),
)

_TOTAL = sum(row[2] for row in _TABLE)

PREFECTURES: tuple[Prefecture, ...] = tuple(
    Prefecture(code, name, percent / _TOTAL, tuple(neighbours.split()))
    for code, name, percent, neighbours in _TABLE
)

PREFECTURE_NAMES: dict[str, str] = {p.code: p.name for p in PREFECTURES}
