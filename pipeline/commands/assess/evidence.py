"""The evidence file (証憑): a CSV of the firm's transactions, read and checked whole before
anything is assessed."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.commands.assess.errors import EvidenceError
from pipeline.reference.corporate_number import check_digit
from pipeline.stages.ingest.input_files import InputFileError, detect_encoding

REQUIRED_COLUMNS = (
    "direction",
    "counterparty_corporate_number",
    "counterparty_prefecture_code",
    "amount_jpy",
)


OPTIONAL_COLUMNS = ("counterparty_name",)


# Accepted spellings of the two directions, after NFKC and lower-casing.
DIRECTIONS = {
    "sale": "sale",
    "販売": "sale",
    "売上": "sale",
    "purchase": "purchase",
    "仕入": "purchase",
    "仕入れ": "purchase",
    "調達": "purchase",
}


MAX_BIGINT = 2**63 - 1


@dataclass(frozen=True)
class EvidenceRow:
    line: int
    direction: str
    corporate_number: str
    prefecture_code: str
    amount_jpy: int
    name: str | None


@dataclass(frozen=True)
class Evidence:
    path: Path
    sha256: str
    encoding: str
    rows: tuple[EvidenceRow, ...]


Check = tuple[Any, str | None]  # (the normalised value, or None with what is wrong)


def _text(value: str | None) -> str:
    """Full-width digits, letters and spaces become ASCII (NFKC); then trim."""
    return unicodedata.normalize("NFKC", value or "").strip()


def _direction(raw: str) -> Check:
    text = _text(raw)
    if not text:
        return None, "missing; give sale or purchase (販売/売上, 仕入/調達)"
    direction = DIRECTIONS.get(text.lower())
    if direction is None:
        return None, "unknown direction; give sale or purchase (販売/売上, 仕入/調達)"
    return direction, None


def _counterparty(raw: str, assessed: str | None) -> Check:
    text = _text(raw)
    if not text:
        return None, "missing 法人番号"
    if not (text.isascii() and text.isdigit()):
        return None, "not 13 digits (it holds characters other than digits); a 法人番号 is 13 digits"
    if len(text) != 13:
        return None, f"not 13 digits ({len(text)} digits); a 法人番号 is 13 digits"
    expected = check_digit(text[1:])
    if int(text[0]) != expected:
        return None, (
            f"bad check digit: the check digit (the first digit) should be {expected}, "
            f"i.e. {expected}{text[1:]}, if the other 12 digits are right"
        )
    if text == assessed:
        return None, "the counterparty is the assessed firm itself; a firm cannot be its own counterparty"
    return text, None


_ONE_OR_TWO_DIGITS = re.compile(r"[0-9]{1,2}")


def _prefecture(raw: str) -> Check:
    text = _text(raw)
    if not text:
        return None, "missing; give the JIS X 0401 prefecture code 01–47"
    if _ONE_OR_TWO_DIGITS.fullmatch(text) and 1 <= int(text) <= 47:
        return f"{int(text):02d}", None
    return None, "unknown prefecture; give the JIS X 0401 prefecture code 01–47"


# Digits, or comma thousands separators in their places (the input files' rule, macros.sql).
_YEN = re.compile(r"[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+")


def _amount(raw: str) -> Check:
    text = _text(raw)
    if not text:
        return None, "missing; give the year's amount in yen, an integer > 0"
    negative = text[:1] in ("-", "−")
    written = text[1:] if negative else text
    if not _YEN.fullmatch(written):
        return (
            None,
            "not an integer number of yen; write digits, optionally with thousands separators (1,234,000)",
        )
    number = int(written.replace(",", ""))
    if number == 0:
        return None, "zero amount; amount_jpy must be > 0"
    if negative:
        return None, "negative amount; amount_jpy must be > 0"
    if number > MAX_BIGINT:
        return None, f"too large (more than {MAX_BIGINT:,} yen)"
    return number, None


def _records_with_lines(text: str, name: str):
    """(first CSV line, fields) of every record; a record may span lines inside quotes."""
    reader = csv.reader(io.StringIO(text, newline=""))
    end = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise EvidenceError([f"{name} line {end + 1}: not readable as CSV: {e}"]) from None
        yield end + 1, record
        end = reader.line_num


def read_evidence(path: Path, assessed: str | None) -> Evidence:
    """The validated evidence rows of `path`, or an EvidenceError with every problem in it.
    `assessed` is the assessed firm's 法人番号 (None for a 個人), which no row may name."""
    name = path.name
    if not path.is_file():
        raise EvidenceError([f"{path}: no such file"])
    data = path.read_bytes()
    try:
        encoding = detect_encoding(path)
    except InputFileError as e:
        raise EvidenceError([str(e)]) from None
    text = data.decode("utf-8-sig" if encoding == "utf-8" else "cp932")
    records = (
        (line, fields) for line, fields in _records_with_lines(text, name) if any(f.strip() for f in fields)
    )
    first = next(records, None)
    if first is None:
        raise EvidenceError(
            [f"{name}: the file is empty; it needs a header row and one row per counterparty"]
        )
    header_line, header = first
    columns = [_text(c) for c in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise EvidenceError(
            [
                f"{name}: missing required column {column} (the header, line {header_line}, has: "
                f"{', '.join(columns) or 'nothing'})"
                for column in missing
            ]
        )
    problems: list[str] = []
    rows: list[EvidenceRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, fields in records:
        if len(fields) > len(columns):
            problems.append(
                f"{name} line {line}: {len(fields)} values but the header has {len(columns)} columns; "
                'quote a value that holds a comma, e.g. "1,234,000"'
            )
            continue
        values = dict(zip(columns, fields + [""] * (len(columns) - len(fields)), strict=True))
        checked: dict[str, Any] = {}
        for column, check in (
            ("direction", _direction),
            ("counterparty_corporate_number", lambda raw: _counterparty(raw, assessed)),
            ("counterparty_prefecture_code", _prefecture),
            ("amount_jpy", _amount),
        ):
            value, problem = check(values[column])
            if problem:
                problems.append(f"{name} line {line}, column {column}: {values[column]!r}: {problem}")
            checked[column] = value
        direction, number = checked["direction"], checked["counterparty_corporate_number"]
        if direction and number:
            key = (direction, number)
            if key in seen:
                problems.append(
                    f"{name} line {line}, columns direction and counterparty_corporate_number: "
                    f"{direction} with {number} repeats line {seen[key]}; give each counterparty once "
                    "per direction (the year's total)"
                )
                continue
            seen[key] = line
        if all(v is not None for v in checked.values()):
            rows.append(
                EvidenceRow(
                    line=line,
                    direction=direction,
                    corporate_number=number,
                    prefecture_code=checked["counterparty_prefecture_code"],
                    amount_jpy=checked["amount_jpy"],
                    name=_text(values.get("counterparty_name")) or None,
                )
            )
    if problems:
        raise EvidenceError(problems)
    if not rows:
        raise EvidenceError(
            [f"{name}: the file is empty: a header (line {header_line}) but no evidence rows"]
        )
    return Evidence(
        path=path.resolve(),
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        rows=tuple(rows),
    )
