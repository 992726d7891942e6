"""Tests for the synthetic sample generator and the prefecture table it draws on."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from pipeline.reference.contract import MULTI_YEAR_COLUMNS
from pipeline.reference.corporate_number import check_digit, is_valid
from pipeline.reference.prefectures import PREFECTURE_NAMES, PREFECTURES
from sample_data.generate import SIZES, check_digits, write_sample

FIRM_COLUMNS = [
    "corporate_number",
    "name",
    "prefecture_code",
    "jsic_division",
    "sales_jpy",
    "employees",
    "capital_jpy",
    "export_sales_jpy",
    "jsic_major",  # the policy indicators' optional column
    *MULTI_YEAR_COLUMNS,  # the composite score's optional columns
    "vendor_code",  # the firm-identity extension
    "legal_form",
]
NUMBER_COLUMNS = FIRM_COLUMNS[4:8]
TRANSACTION_COLUMNS = [
    "supplier_corporate_number",
    "customer_corporate_number",
    "amount_jpy",
    "supplier_vendor_code",
    "customer_vendor_code",
]
MID_FIRMS = 5_000


def read_csv(path: Path, encoding: str = "utf-8") -> pl.DataFrame:
    """Parse with the standard library's RFC 4180 reader, keeping every field as text."""
    with path.open(encoding=encoding, newline="") as handle:
        rows = list(csv.reader(handle))
    return pl.DataFrame(rows[1:], schema=rows[0], orient="row")


def as_numbers(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Text columns as integers, an empty cell (a 個人's 資本金) as null; empty codes as null."""
    texts = [c for c in frame.columns if c.endswith(("corporate_number", "vendor_code"))]
    return frame.with_columns(
        *(pl.col(c).replace("", None).cast(pl.Int64) for c in columns),
        *(pl.col(c).replace("", None) for c in texts),
    )


def firm_ids(numbers: pl.Series, codes: pl.Series) -> list[str]:
    """Each firm as the pipeline keys it: its 法人番号, or a 個人's vendor code."""
    return [n if n is not None else f"vendor:{c}" for n, c in zip(numbers, codes, strict=True)]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, pl.DataFrame]:
    out = tmp_path_factory.mktemp("sample")
    counts = write_sample(out, "sample", fmt="parquet")
    firms = pl.read_parquet(out / "2025" / "firms.parquet")
    transactions = pl.read_parquet(out / "2025" / "transactions.parquet")
    assert counts == {"firms": SIZES["sample"], "transactions": transactions.height}
    return firms, transactions


@pytest.fixture(scope="module")
def mid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 5,000-firm year written twice, as UTF-8 and as CP932 CSV."""
    out = tmp_path_factory.mktemp("mid")
    write_sample(out / "utf8", "tiny", n_firms=MID_FIRMS)
    write_sample(out / "cp932", "tiny", encoding="cp932", n_firms=MID_FIRMS)
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, pl.DataFrame]:
    out = tmp_path_factory.mktemp("tiny")
    write_sample(out, "tiny")
    firms = as_numbers(read_csv(out / "2025" / "firms.csv"), NUMBER_COLUMNS)
    return firms, as_numbers(read_csv(out / "2025" / "transactions.csv"), ["amount_jpy"])


def mid_frames(mid: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    firms = as_numbers(read_csv(mid / "utf8" / "2025" / "firms.csv"), NUMBER_COLUMNS)
    return firms, as_numbers(read_csv(mid / "utf8" / "2025" / "transactions.csv"), ["amount_jpy"])


# --- prefectures ---


def test_prefecture_table_is_complete_and_named() -> None:
    assert [p.code for p in PREFECTURES] == [f"{i:02d}" for i in range(1, 48)]
    assert PREFECTURE_NAMES["01"] == "北海道"
    assert PREFECTURE_NAMES["13"] == "東京都"
    assert PREFECTURE_NAMES["26"] == "京都府"
    assert PREFECTURE_NAMES["27"] == "大阪府"
    assert PREFECTURE_NAMES["47"] == "沖縄県"
    assert all(
        name.endswith("県") for code, name in PREFECTURE_NAMES.items() if code not in {"01", "13", "26", "27"}
    )


def test_prefecture_shares_sum_to_one_and_look_real() -> None:
    shares = {p.code: p.firm_share for p in PREFECTURES}
    assert math.isclose(math.fsum(shares.values()), 1.0, abs_tol=1e-12)
    assert 0.16 <= shares["13"] <= 0.17
    assert 0.065 <= shares["27"] <= 0.075
    assert 0.055 <= shares["23"] <= 0.065 and 0.055 <= shares["14"] <= 0.065
    assert 0.004 <= shares["31"] <= 0.006
    assert min(shares.values()) == shares["31"]


def test_neighbours_are_symmetric_and_never_empty() -> None:
    neighbours = {p.code: set(p.neighbours) for p in PREFECTURES}
    assert neighbours["01"] == {"02"} and neighbours["47"] == {"46"}
    for code, near in neighbours.items():
        assert near and code not in near and near <= neighbours.keys()
        assert all(code in neighbours[other] for other in near), code


# --- firms ---


def test_vectorised_check_digits_match_the_scalar_rule() -> None:
    real = ["7000012050002", "4000012090001", "1180301018771"]
    bases = np.array([int(n[1:]) for n in real] + list(np.random.default_rng(0).integers(0, 10**12, 1000)))
    expected = [check_digit(f"{b:012d}") for b in bases]
    assert check_digits(bases).tolist() == expected
    assert expected[:3] == [7, 4, 1]


@pytest.mark.parametrize("which", ["tiny", "mid", "sample"])
def test_corporate_numbers_valid_and_unique(which: str, request: pytest.FixtureRequest) -> None:
    data = request.getfixturevalue(which)
    firms = mid_frames(data)[0] if which == "mid" else data[0]
    corporations = firms.filter(pl.col("legal_form") == "法人")
    numbers = corporations["corporate_number"].to_list()
    assert all(is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert firms.filter(pl.col("legal_form") == "個人")[
        "corporate_number"
    ].null_count() == firms.height - len(numbers)


def test_every_firm_has_a_vendor_code_and_a_third_of_small_firms_are_individuals(sample) -> None:
    firms, transactions = sample
    codes = firms["vendor_code"].to_list()
    assert all(len(c) == 9 and c.isdigit() for c in codes) and len(set(codes)) == len(codes)
    assert set(firms["legal_form"]) == {"法人", "個人"}
    large = (pl.col("sales_jpy") >= 1_000_000_000) & (pl.col("employees") >= 20)
    small_share = firms.filter(~large).select((pl.col("legal_form") == "個人").mean()).item()
    large_share = firms.filter(large).select((pl.col("legal_form") == "個人").mean()).item()
    assert 0.30 <= small_share <= 0.37 and large_share <= 0.01
    individuals = firms.filter(pl.col("legal_form") == "個人")
    assert individuals["capital_jpy"].null_count() == individuals.height
    assert not individuals["name"].str.contains("株式会社|有限会社|合同会社|合資会社|合名会社").any()
    # A transaction names a 個人 by its code and everyone else by number, never both.
    individual_codes = set(individuals["vendor_code"])
    for side in ("supplier", "customer"):
        number, code = transactions[f"{side}_corporate_number"], transactions[f"{side}_vendor_code"]
        assert ((number.is_null()) == (code.is_not_null())).all()
        assert set(code.drop_nulls()) <= individual_codes
        assert code.drop_nulls().n_unique() > 0.5 * len(individual_codes)


def test_columns_and_parquet_types(sample: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    firms, transactions = sample
    assert firms.columns == FIRM_COLUMNS
    assert transactions.columns == TRANSACTION_COLUMNS
    assert [firms.schema[c] for c in FIRM_COLUMNS] == [pl.String] * 4 + [pl.Int64] * 4 + [pl.String] + [
        pl.Int64
    ] * len(MULTI_YEAR_COLUMNS) + [pl.String] * 2
    assert [transactions.schema[c] for c in TRANSACTION_COLUMNS] == [pl.String, pl.String, pl.Int64] + [
        pl.String
    ] * 2


def test_multi_year_history_is_plausible_and_sometimes_missing(sample) -> None:
    firms = sample[0]
    present = firms.filter(pl.col("operating_profit_jpy_y0").is_not_null())
    assert 0.02 <= 1 - present.height / firms.height <= 0.06
    # Where a firm has a history, all six values are there; y0 employees are this year's.
    assert present.select(pl.any_horizontal(pl.col(MULTI_YEAR_COLUMNS).is_null()).sum()).item() == 0
    assert (present["employees_y0"] == present["employees"]).all()
    assert (present.select(pl.col(["employees_y1", "employees_y2"]).min()).row(0)) >= (0, 0)
    losses = (present["operating_profit_jpy_y0"] < 0).mean()
    assert 0.05 <= losses <= 0.4  # some firms make losses, most do not


def test_no_amounts_writes_a_partner_list(tmp_path: Path) -> None:
    with_amounts = write_sample(tmp_path / "a", size="tiny", fmt="parquet")
    without = write_sample(tmp_path / "b", size="tiny", fmt="parquet", amounts=False)
    assert with_amounts == without
    a = pl.read_parquet(tmp_path / "a" / "2025" / "transactions.parquet")
    b = pl.read_parquet(tmp_path / "b" / "2025" / "transactions.parquet")
    assert b["amount_jpy"].null_count() == b.height
    assert a.drop("amount_jpy").equals(b.drop("amount_jpy"))


def test_jsic_major_lies_in_its_division_and_is_sometimes_missing(sample) -> None:
    from sample_data.generate import _MAJORS

    firms = sample[0]
    present = firms.filter(pl.col("jsic_major").is_not_null())
    assert 0.02 <= 1 - present.height / firms.height <= 0.04
    for division, major in present.select("jsic_division", "jsic_major").unique().iter_rows():
        low, high = _MAJORS[division]
        assert len(major) == 2 and low <= int(major) <= high, (division, major)


def test_prefecture_spread(sample: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    codes = sample[0]["prefecture_code"]
    assert set(codes) == set(PREFECTURE_NAMES)
    assert 0.15 <= (codes == "13").mean() <= 0.18


def test_every_prefecture_even_in_tiny(tiny: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    firms, _ = tiny
    assert firms.height == SIZES["tiny"]
    assert set(firms["prefecture_code"]) == set(PREFECTURE_NAMES)


def test_size_distribution(sample: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    firms = sample[0]
    sales = firms["sales_jpy"].to_numpy()
    assert 50e6 <= np.median(sales) <= 100e6
    assert 0.005 <= (sales >= 10e9).mean() <= 0.02
    assert firms.select((pl.col(c) >= 0).all() for c in NUMBER_COLUMNS).row(0) == (True,) * 4
    assert np.corrcoef(np.log1p(sales), np.log1p(firms["employees"].to_numpy()))[0, 1] > 0.7


def test_exporters(sample: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    firms = sample[0]
    exporters = firms.filter(pl.col("export_sales_jpy") > 0)
    assert 0.03 <= exporters.height / firms.height <= 0.07
    assert (exporters["export_sales_jpy"] <= exporters["sales_jpy"]).all()


def test_industries(sample: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    divisions = sample[0]["jsic_division"].value_counts(sort=True)["jsic_division"].to_list()
    assert set(divisions) <= set("ABCDEFGHIJKLMNOPQRST")
    assert {"D", "E", "I"} <= set(divisions[:4])


def test_names_are_japanese_and_some_need_quoting(sample: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    names = sample[0]["name"]
    corporations = sample[0].filter(pl.col("legal_form") == "法人")["name"]
    assert corporations.str.contains("株式会社|有限会社|合同会社|合資会社|合名会社").mean() > 0.95
    assert names.str.contains(",").sum() >= 1 and names.str.contains('"').sum() >= 1
    assert names.n_unique() > 1000
    for name in names.unique():
        name.encode("cp932")


# --- transactions ---


@pytest.mark.parametrize("which", ["mid", "sample"])
def test_network_shape(which: str, request: pytest.FixtureRequest) -> None:
    data = request.getfixturevalue(which)
    firms, transactions = mid_frames(data) if which == "mid" else data
    assert 4 <= transactions.height / firms.height <= 10
    ids = firm_ids(firms["corporate_number"], firms["vendor_code"])
    prefecture = dict(zip(ids, firms["prefecture_code"], strict=True))
    suppliers = firm_ids(transactions["supplier_corporate_number"], transactions["supplier_vendor_code"])
    customers = firm_ids(transactions["customer_corporate_number"], transactions["customer_vendor_code"])
    assert set(suppliers) | set(customers) <= prefecture.keys()
    same = np.mean([prefecture[s] == prefecture[c] for s, c in zip(suppliers, customers, strict=True)])
    assert same > 0.5
    assert all(s != c for s, c in zip(suppliers, customers, strict=True))
    assert len(set(zip(suppliers, customers, strict=True))) == transactions.height
    assert (transactions["amount_jpy"] > 0).all()


def test_larger_firms_have_more_links(sample: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    firms, transactions = sample
    ends = firm_ids(transactions["supplier_corporate_number"], transactions["supplier_vendor_code"])
    ends += firm_ids(transactions["customer_corporate_number"], transactions["customer_vendor_code"])
    degree = pl.Series("firm_id", ends).value_counts()
    ids = pl.Series("firm_id", firm_ids(firms["corporate_number"], firms["vendor_code"]))
    joined = firms.with_columns(ids).join(degree, on="firm_id", how="left").fill_null(0)
    large = joined.filter(pl.col("sales_jpy") >= 1e9)["count"].mean()
    small = joined.filter(pl.col("sales_jpy") < 1e8)["count"].mean()
    assert large > 3 * small


# --- files ---


def test_cp932_gives_the_same_rows_as_utf8(mid: Path) -> None:
    for table in ("firms", "transactions"):
        utf8 = (mid / "utf8" / "2025" / f"{table}.csv").read_bytes()
        cp932 = (mid / "cp932" / "2025" / f"{table}.csv").read_bytes()
        assert not utf8.startswith(b"\xef\xbb\xbf")
        assert cp932.decode("cp932") == utf8.decode("utf-8")
        assert read_csv(mid / "cp932" / "2025" / f"{table}.csv", "cp932").equals(
            read_csv(mid / "utf8" / "2025" / f"{table}.csv")
        )
    with pytest.raises(UnicodeDecodeError):
        (mid / "cp932" / "2025" / "firms.csv").read_bytes().decode("utf-8")


def test_csv_quotes_only_where_needed(mid: Path) -> None:
    text = (mid / "utf8" / "2025" / "firms.csv").read_text(encoding="utf-8")
    assert text.startswith(",".join(FIRM_COLUMNS) + "\n")
    names = read_csv(mid / "utf8" / "2025" / "firms.csv")["name"]
    quoted = [n for n in names if "," in n or '"' in n]
    assert quoted
    for name in quoted:
        assert '"' + name.replace('"', '""') + '"' in text
    assert len(list(csv.reader(io.StringIO(text)))) == MID_FIRMS + 1


@pytest.mark.parametrize(("fmt", "encoding"), [("csv", "utf-8"), ("csv", "cp932"), ("parquet", "utf-8")])
def test_deterministic(tmp_path: Path, fmt: str, encoding: str) -> None:
    for run in ("a", "b", "other-seed"):
        seed = 1 if run == "other-seed" else 20260401
        write_sample(tmp_path / run, "tiny", fmt=fmt, encoding=encoding, n_firms=2_000, seed=seed)
    for table in ("firms", "transactions"):
        a, b, c = (
            (tmp_path / run / "2025" / f"{table}.{fmt}").read_bytes() for run in ("a", "b", "other-seed")
        )
        assert a == b
        assert a != c


def test_rejects_unknown_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_sample(tmp_path, "huge")
    with pytest.raises(ValueError):
        write_sample(tmp_path, "tiny", fmt="xlsx")
    with pytest.raises(ValueError):
        write_sample(tmp_path, "tiny", encoding="utf-16")
