"""A small corporate register in the NTA's exact layout, matching the tiny sample's firms.

`write_register_sample` writes, into one folder, the 全件 data as one zip per prefecture
(headerless, 30 columns; odd prefecture codes in Shift_JIS, even ones and 国外 in Unicode, as
the NTA offers both) and two days of 差分 data (a Unicode zip and a plain Shift_JIS CSV). The
firms are the tiny sample's (`pipeline/sample.py`, same seed and year), so the reconciliation
finds matches and, at fixed places of the corporate-number order, the cases below.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.reference.prefectures import PREFECTURE_NAMES
from pipeline.stages.register.layout import COLUMNS
from sample_data.generate import write_sample

FULL_DATE = dt.date(2026, 3, 31)  # the 全件 data of the month the fiscal year 2025 ends
DIFF_DATES = (dt.date(2026, 4, 1), dt.date(2026, 4, 2))
ROMAJI = [
    "hokkaido",
    "aomori",
    "iwate",
    "miyagi",
    "akita",
    "yamagata",
    "fukushima",
    "ibaraki",
    "tochigi",
    "gunma",
    "saitama",
    "chiba",
    "tokyo",
    "kanagawa",
    "niigata",
    "toyama",
    "ishikawa",
    "fukui",
    "yamanashi",
    "nagano",
    "gifu",
    "shizuoka",
    "aichi",
    "mie",
    "shiga",
    "kyoto",
    "osaka",
    "hyogo",
    "nara",
    "wakayama",
    "tottori",
    "shimane",
    "okayama",
    "hiroshima",
    "yamaguchi",
    "tokushima",
    "kagawa",
    "ehime",
    "kochi",
    "fukuoka",
    "saga",
    "nagasaki",
    "kumamoto",
    "oita",
    "miyazaki",
    "kagoshima",
    "okinawa",
]  # noqa: SIM905
_KIND_OF_FORM = {
    "株式会社": "301",
    "有限会社": "302",
    "合名会社": "303",
    "合資会社": "304",
    "合同会社": "305",
}
# Text columns are quoted, codes and dates are not, as in the NTA's files.
_QUOTED = {"name", "prefecture_name", "city_name", "street_number", "address_outside", "furigana"}
_QUOTED |= {c for c in COLUMNS if c.startswith("en_")}

# Which firm of the tiny sample (index among its 法人, in corporate-number order) shows which case.
CASES = {
    "closed": 10,  # 21 登記記録の閉鎖等 on 2025-09-30 (cause 01), in the 全件 data
    "merged": 20,  # 71 吸収合併 on 2026-03-01 into firm 21 (cause 11), in the first 差分
    "moved": 30,  # 12 国内所在地の変更: the register's head office is in another prefecture
    "renamed": 40,  # 11 商号又は名称の変更: the register's 商号 differs from the vendor's
    "deleted": 50,  # in the 全件 data, then 99 削除 in the second 差分
    "absent": 60,  # never in the register
    "moved_back": 70,  # moved away in the first 差分, back in the second: in place after both
    "closed_after_year": 80,  # closed on 2026-04-01 (first 差分): after the fiscal year's end
}
SUCCESSOR = 21
# Real numbers (data contract §1), in the register but not among the sample's firms.
REAL_FIRMS = (
    ("7000012050002", "国税庁", "101", "13", "千代田区", "霞が関３丁目１－１", "1008978"),
    ("4000012090001", "経済産業省", "101", "13", "千代田区", "霞が関１丁目３－１", "1008901"),
    ("1180301018771", "トヨタ自動車株式会社", "301", "23", "豊田市", "トヨタ町１番地", "4718571"),
)


@dataclass(frozen=True)
class RegisterRow:
    corporate_number: str
    name: str
    kind: str
    prefecture_code: str
    city_name: str
    street_number: str
    post_code: str
    process: str = "01"
    update_date: dt.date = dt.date(2015, 11, 2)
    change_date: dt.date = dt.date(2015, 10, 5)
    close_date: dt.date | None = None
    close_cause: str = ""
    successor_corporate_number: str = ""
    latest: str = "1"

    def fields(self, sequence: int) -> dict[str, str]:
        values = dict.fromkeys(COLUMNS, "")
        values.update(
            sequence_number=str(sequence),
            corporate_number=self.corporate_number,
            process=self.process,
            correct="0",
            update_date=self.update_date.isoformat(),
            change_date=self.change_date.isoformat(),
            name=self.name,
            kind=self.kind,
            prefecture_name=PREFECTURE_NAMES[self.prefecture_code],
            city_name=self.city_name,
            street_number=self.street_number,
            prefecture_code=self.prefecture_code,
            city_code=f"{int(self.prefecture_code) * 10 + 1:03d}"[-3:],
            post_code=self.post_code,
            close_date=self.close_date.isoformat() if self.close_date else "",
            close_cause=self.close_cause,
            successor_corporate_number=self.successor_corporate_number,
            assignment_date="2015-10-05",
            latest=self.latest,
            hihyoji="0",
        )
        return values


def csv_text(rows: list[RegisterRow]) -> str:
    """Headerless CSV, CRLF line ends as the NTA writes them."""
    lines = []
    for sequence, row in enumerate(rows, start=1):
        fields = row.fields(sequence)
        lines.append(
            ",".join(
                '"' + fields[c].replace('"', '""') + '"' if c in _QUOTED and fields[c] else fields[c]
                for c in COLUMNS
            )
        )
    return "".join(line + "\r\n" for line in lines)


def _zip(path: Path, member: str, data: bytes) -> None:
    # A fixed timestamp: the same sample gives the same bytes.
    info = zipfile.ZipInfo(member, date_time=(2026, 4, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, data)


def _tiny_firms(fiscal_year: int) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        write_sample(Path(tmp), size="tiny", fmt="parquet", fiscal_year=fiscal_year)
        table = pq.read_table(Path(tmp) / str(fiscal_year) / "firms.parquet")
    firms = table.select(["corporate_number", "name", "prefecture_code"]).to_pylist()
    return [f for f in firms if f["corporate_number"] is not None]  # a 個人 has no number to register


def _kind(name: str) -> str:
    return next((kind for form, kind in _KIND_OF_FORM.items() if form in name), "399")


def _city(code: str) -> str:
    return "中央区" if code == "13" else f"{PREFECTURE_NAMES[code].rstrip('都府県')}市"


def _other_prefecture(code: str) -> str:
    return "13" if code != "13" else "27"


def register_rows(fiscal_year: int = 2025) -> tuple[list[RegisterRow], list[RegisterRow], list[RegisterRow]]:
    """The 全件 rows and the rows of the two 差分 days."""
    firms = _tiny_firms(fiscal_year)
    base = {
        i: RegisterRow(
            f["corporate_number"],
            f["name"],
            _kind(f["name"]),
            f["prefecture_code"],
            _city(f["prefecture_code"]),
            f"本町{i % 9 + 1}丁目{i % 30 + 1}番地",
            f"{int(f['prefecture_code']) * 10000 + i:07d}",
        )
        for i, f in enumerate(firms)
        if i != CASES["absent"]
    }
    closed, merged, moved = CASES["closed"], CASES["merged"], CASES["moved"]
    base[closed] = replace(
        base[closed],
        process="21",
        close_date=dt.date(2025, 9, 30),
        close_cause="01",
        update_date=dt.date(2025, 10, 3),
    )
    away = _other_prefecture(firms[moved]["prefecture_code"])
    base[moved] = replace(
        base[moved],
        process="12",
        prefecture_code=away,
        city_name=_city(away),
        change_date=dt.date(2025, 7, 1),
    )
    renamed = CASES["renamed"]
    base[renamed] = replace(base[renamed], process="11", name="株式会社新商号" + str(renamed))
    full = [*base.values()]
    full += [
        RegisterRow(n, name, kind, pref, city, street, post)
        for n, name, kind, pref, city, street, post in REAL_FIRMS
    ]
    full.sort(key=lambda r: (r.prefecture_code, r.corporate_number))

    back = CASES["moved_back"]
    home = firms[back]["prefecture_code"]
    day1 = [
        replace(
            base[merged],
            process="71",
            close_date=dt.date(2026, 3, 1),
            close_cause="11",
            successor_corporate_number=firms[SUCCESSOR]["corporate_number"],
            update_date=DIFF_DATES[0],
        ),
        replace(
            base[back],
            process="12",
            prefecture_code=_other_prefecture(home),
            city_name=_city(_other_prefecture(home)),
            update_date=DIFF_DATES[0],
        ),
        replace(
            base[CASES["closed_after_year"]],
            process="21",
            close_date=DIFF_DATES[0],
            close_cause="01",
            update_date=DIFF_DATES[0],
        ),
    ]
    day2 = [
        replace(base[back], process="12", update_date=DIFF_DATES[1]),
        replace(base[CASES["deleted"]], process="99", update_date=DIFF_DATES[1]),
    ]
    return full, day1, day2


def write_register_sample(out_dir: Path, fiscal_year: int = 2025) -> dict[str, int]:
    """Write the register sample into `out_dir`; returns rows per file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    full, day1, day2 = register_rows(fiscal_year)
    written = {}
    stamp = FULL_DATE.strftime("%Y%m%d")
    for code in sorted({r.prefecture_code for r in full}):
        rows = [r for r in full if r.prefecture_code == code]
        stem = f"{code}_{ROMAJI[int(code) - 1]}_all_{stamp}"
        encoding = "cp932" if int(code) % 2 else "utf-8"
        _zip(out_dir / f"{stem}.zip", f"{stem}.csv", csv_text(rows).encode(encoding))
        written[f"{stem}.zip"] = len(rows)
    first = f"diff_{DIFF_DATES[0].strftime('%Y%m%d')}"
    _zip(out_dir / f"{first}.zip", f"{first}.csv", csv_text(day1).encode("utf-8"))
    written[f"{first}.zip"] = len(day1)
    second = f"diff_{DIFF_DATES[1].strftime('%Y%m%d')}.csv"
    (out_dir / second).write_bytes(csv_text(day2).encode("cp932"))
    written[second] = len(day2)
    return written
