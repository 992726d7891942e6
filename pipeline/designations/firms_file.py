"""The file of designated firms a prefecture submits with a plan: CSV (UTF-8 with or without
BOM, or CP932) or XLSX, one row per firm.

Columns (English or Japanese): `corporate_number` / `法人番号`, `basis` / `根拠` (`candidate` /
`候補リスト` / `候補`, or `evidence` / `証憑`), `evidence_file` / `証憑ファイル` (for `evidence`:
the CSV that `assess` reads, relative to the firms file), `note` / `備考`. A firm without a
法人番号 (a 個人) is named by the data vendor's code instead: `vendor_code` / `企業コード` /
`企業コード（データ提供元）`, with its 法人番号 empty; each row gives exactly one of the two. Every
problem in the file, and in every evidence file it names, is reported at once, one line each.
"""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.commands.assess import EvidenceError, read_evidence
from pipeline.reference.corporate_number import check_digit
from pipeline.stages.ingest.input_files import InputFileError, detect_encoding

ALIASES = {
    "corporate_number": "corporate_number",
    "法人番号": "corporate_number",
    "vendor_code": "vendor_code",
    "企業コード": "vendor_code",
    # Headers are read after NFKC, which makes the full-width parentheses ASCII.
    unicodedata.normalize("NFKC", "企業コード（データ提供元）"): "vendor_code",
    "basis": "basis",
    "根拠": "basis",
    "指定の根拠": "basis",
    "evidence_file": "evidence_file",
    "証憑ファイル": "evidence_file",
    "証憑": "evidence_file",
    "note": "note",
    "備考": "note",
}
BASES = {
    "candidate": "candidate",
    "候補リスト": "candidate",
    "候補": "candidate",
    "evidence": "evidence",
    "証憑": "evidence",
}


class FirmsFileError(Exception):
    """The firms file cannot be used; one message per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PlanFirm:
    """One row: a 法人 by its corporate_number, or a 個人 by its vendor_code (corporate_number
    empty)."""

    line: int
    corporate_number: str
    basis: str
    evidence_file: Path | None
    note: str
    vendor_code: str = ""

    @property
    def firm_id(self) -> str:
        """The firm's identity, as in the warehouse: the 法人番号, or 'vendor:' and the code."""
        return firm_id(self.corporate_number, self.vendor_code)


@dataclass(frozen=True)
class FirmsFile:
    path: Path
    sha256: str
    firms: tuple[PlanFirm, ...]


def firm_id(corporate_number: str | None, vendor_code: str | None) -> str:
    """The 法人番号, or for a firm without one 'vendor:' and its vendor code (the warehouse's
    firm_id, which sorts after every number)."""
    return corporate_number or f"vendor:{vendor_code}"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # a number Excel stored as a number
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def corporate_number_problem(text: str) -> str | None:
    """What is wrong with a 法人番号 as written (after NFKC), or None."""
    if not text:
        return "missing 法人番号"
    if not (text.isascii() and text.isdigit()):
        return "not 13 digits (it holds characters other than digits); a 法人番号 is 13 digits"
    if len(text) != 13:
        return f"not 13 digits ({len(text)} digits); a 法人番号 is 13 digits"
    expected = check_digit(text[1:])
    if int(text[0]) != expected:
        return (
            f"bad check digit: the check digit (the first digit) should be {expected}, "
            f"i.e. {expected}{text[1:]}, if the other 12 digits are right"
        )
    return None


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    encoding = detect_encoding(path)
    text = path.read_bytes().decode("utf-8-sig" if encoding == "utf-8" else "cp932")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, end = [], 0
    for record in reader:
        rows.append((end + 1, record))
        end = reader.line_num
    return rows


def _xlsx_rows(path: Path) -> list[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [(number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()


def read_firms_file(path: Path) -> FirmsFile:
    """The validated rows of the firms file, or FirmsFileError with every problem in it."""
    name = path.name
    if not path.is_file():
        raise FirmsFileError([f"{path}: no such file"])
    try:
        rows = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path)
    except InputFileError as e:
        raise FirmsFileError([str(e)]) from None
    except (csv.Error, OSError, ValueError, KeyError) as e:
        raise FirmsFileError([f"{name}: not readable as CSV or XLSX: {e}"]) from None
    rows = [(line, values) for line, values in rows if any(_text(v) for v in values)]
    if not rows:
        raise FirmsFileError([f"{name}: the file is empty; it needs a header row and one row per firm"])
    header_line, header = rows[0]
    columns = [ALIASES.get(_text(c), _text(c)) for c in header]
    required = ("basis",) if "vendor_code" in columns else ("corporate_number", "basis")
    missing = [c for c in required if c not in columns]
    if missing:
        raise FirmsFileError(
            [
                f"{name}: missing required column {c} "
                f"(line {header_line} has: {', '.join(map(_text, header))})"
                for c in missing
            ]
        )
    problems: list[str] = []
    firms: list[PlanFirm] = []
    seen: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    for line, values in rows[1:]:
        cells = dict(zip(columns, [_text(v) for v in values] + [""] * len(columns), strict=False))
        where = f"{name} line {line}"
        number, basis_text = cells.get("corporate_number", ""), cells["basis"]
        code = cells.get("vendor_code", "")
        number_problem: str | None = None
        if number and code:
            number_problem = "both"
            problems.append(
                f"{where}: both 法人番号 {number} and vendor_code {code!r} given; give one: the 法人番号, "
                "or for a firm without one (個人) the data vendor's code"
            )
        elif code:
            if code in seen_codes:
                problems.append(
                    f"{where}: vendor_code {code} repeats line {seen_codes[code]}; designate a firm once"
                )
            else:
                seen_codes[code] = line
        elif not number and "vendor_code" in columns:
            number_problem = "neither"
            problems.append(
                f"{where}: neither 法人番号 nor vendor_code given; give the 法人番号, or for a firm "
                "without one (個人) the data vendor's code"
            )
        else:
            number_problem = corporate_number_problem(number)
            if number_problem:
                problems.append(f"{where}, column corporate_number: {number!r}: {number_problem}")
            elif number in seen:
                problems.append(
                    f"{where}: 法人番号 {number} repeats line {seen[number]}; designate a firm once"
                )
            else:
                seen[number] = line
        basis = BASES.get(basis_text.lower())
        if basis is None:
            problems.append(
                f"{where}, column basis: {basis_text!r}: give candidate (候補リスト) or evidence (証憑)"
            )
        evidence_text = cells.get("evidence_file", "")
        evidence = (path.parent / evidence_text) if evidence_text else None
        if basis == "evidence" and evidence is None:
            problems.append(
                f"{where}, column evidence_file: empty; an evidence designation needs its evidence CSV"
            )
        if basis == "candidate" and evidence is not None:
            problems.append(
                f"{where}, column evidence_file: {evidence_text!r} given for a candidate; "
                "leave it empty, or give basis evidence (証憑)"
            )
        if basis == "evidence" and evidence is not None and not number_problem:
            try:  # a 個人's evidence is read too; its verification then says why it cannot pass
                read_evidence(evidence, number)
            except EvidenceError as e:
                problems += [f"{where}, evidence {evidence_text}: {p}" for p in e.problems]
        firms.append(PlanFirm(line, number, basis or "", evidence, cells.get("note", ""), code))
    if problems:
        raise FirmsFileError(problems)
    if not firms:
        raise FirmsFileError([f"{name}: a header (line {header_line}) but no firms"])
    return FirmsFile(path.resolve(), hashlib.sha256(path.read_bytes()).hexdigest(), tuple(firms))
