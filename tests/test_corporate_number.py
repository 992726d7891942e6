"""法人番号 check digits: the contract's real numbers, and Python and SQL agreeing."""

from __future__ import annotations

import random

import duckdb
import pytest

from pipeline.reference.corporate_number import check_digit, is_valid, with_check_digit
from pipeline.warehouse.schema import load_macros

REAL_NUMBERS = {
    "7000012050002": "国税庁",
    "4000012090001": "経済産業省",
    "1180301018771": "トヨタ自動車",
}


@pytest.mark.parametrize("number", REAL_NUMBERS)
def test_real_numbers_are_valid(number):
    assert is_valid(number)
    assert with_check_digit(number[1:]) == number


@pytest.mark.parametrize("number", REAL_NUMBERS)
def test_any_other_check_digit_is_invalid(number):
    for digit in "0123456789":
        if digit != number[0]:
            assert not is_valid(digit + number[1:])


@pytest.mark.parametrize(
    "number", ["", "118030101877", "11803010187711", "1.18030101877E+12", "118030101877a", "１180301018771"]
)
def test_malformed_numbers_are_invalid(number):
    assert not is_valid(number)


def test_check_digit_rejects_a_short_base():
    with pytest.raises(ValueError):
        check_digit("123")


def test_sql_macro_agrees_with_python():
    rng = random.Random(7)
    numbers = list(REAL_NUMBERS) + [f"{rng.randrange(10**13):013d}" for _ in range(3000)]
    numbers += [with_check_digit(f"{rng.randrange(10**12):012d}") for _ in range(1000)]
    with duckdb.connect() as con:
        load_macros(con)
        con.execute("create table numbers (n varchar)")
        con.executemany("insert into numbers values (?)", [(n,) for n in numbers])
        in_sql = dict(con.execute("select n, is_corporate_number(n) from numbers").fetchall())
    assert in_sql == {n: is_valid(n) for n in numbers}
    assert sum(in_sql.values()) >= 1000 + len(REAL_NUMBERS)
