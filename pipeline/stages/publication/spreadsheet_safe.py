"""The one rule for text a spreadsheet would run as a formula.

Excel and LibreOffice read a cell that begins with `=`, `+`, `-` or `@` (also after a tab or a
carriage return, which an import may strip) as a formula; Excel in Japan also takes the
full-width ＝ ＋ － ＠ that an IME types. The contract lists the ASCII ones; the full-width ones
are this project's addition. The published CSVs apply the rule with the SQL macro
`spreadsheet_safe` (pipeline/warehouse/sql/macros.sql), which tests/test_publication.py checks against this
module for every character; the portal's XLSX uses `starts_like_formula` directly.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = "=+-@\t\r＝＋－＠"
QUOTE = "'"  # Excel's and LibreOffice's own mark for "this cell is text"


def starts_like_formula(text: str | None) -> bool:
    """Whether a spreadsheet would take this text as the start of a formula."""
    return bool(text) and text[0] in FORMULA_TRIGGERS


def spreadsheet_safe(text: str | None) -> str | None:
    """The text for a CSV cell: a leading quote where it would start a formula, else as it is."""
    return QUOTE + text if starts_like_formula(text) else text


# XML 1.0, and so XLSX, cannot hold C0 controls other than tab, LF and CR: they are shown as
# their Unicode control pictures (U+0000 → ␀, U+000B → ␋), DEL as ␡; U+FFFE and U+FFFF, which
# XML has no place for at all, as U+FFFD. (Surrogates never get here: Parquet text is UTF-8.)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_XML = re.compile(r"[\ufffe\uffff]")
MAX_CELL_CHARACTERS = 32_767  # Excel's limit; a longer text would make it "repair" the file


def xlsx_text(text: str) -> str:
    """Any string as an XLSX cell can hold it (see _CONTROL), cut at Excel's cell limit."""
    text = _CONTROL.sub(lambda m: "␡" if m[0] == "\x7f" else chr(0x2400 + ord(m[0])), text)
    return _cut(_NOT_XML.sub("\ufffd", text))


def _cut(text: str) -> str:
    """At most Excel's limit, which counts UTF-16 units (a character beyond U+FFFF is two)."""
    if len(text.encode("utf-16-le")) // 2 <= MAX_CELL_CHARACTERS:
        return text
    units = 0
    for index, character in enumerate(text):
        units += 2 if ord(character) > 0xFFFF else 1
        if units > MAX_CELL_CHARACTERS - 1:
            return text[:index] + "…"
    return text
