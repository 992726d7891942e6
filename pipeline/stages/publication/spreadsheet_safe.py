"""The one rule for text a spreadsheet would run as a formula.

Excel and LibreOffice read a cell that begins with `=`, `+`, `-` or `@` (also after a tab or a
carriage return, which an import may strip) as a formula; Excel in Japan also takes the
full-width ＝ ＋ － ＠ that an IME types. The contract lists the ASCII ones; the full-width ones
are this project's addition. The published CSVs apply the rule with the SQL macro
`spreadsheet_safe` (sql/macros.sql), which tests/test_publication.py checks against this
module for every character; the portal's XLSX uses `starts_like_formula` directly.
"""

from __future__ import annotations

FORMULA_TRIGGERS = "=+-@\t\r＝＋－＠"
QUOTE = "'"  # Excel's and LibreOffice's own mark for "this cell is text"


def starts_like_formula(text: str | None) -> bool:
    """Whether a spreadsheet would take this text as the start of a formula."""
    return bool(text) and text[0] in FORMULA_TRIGGERS


def spreadsheet_safe(text: str | None) -> str | None:
    """The text for a CSV cell: a leading quote where it would start a formula, else as it is."""
    return QUOTE + text if starts_like_formula(text) else text
