"""Finding, decoding and describing one fiscal year's input files (contract §1).

DuckDB reads only UTF-8 here, so a CP932 file is transcoded, streaming, before
DuckDB sees it. The encoding is judged on the whole file, and a line that decodes
in neither encoding is named by its number. Everything that is wrong with a whole
file becomes an `InputFileError` whose message names the file and what is wrong.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.reference.contract import InputSpec
from pipeline.stages.ingest.csv_records import RecordCounter

CHUNK_BYTES = 16 * 1024 * 1024
FORMATS = ("csv", "parquet")

# A line made only of ASCII and well-formed UTF-8 multi-byte sequences, holding at least one.
_UTF8_LINE = re.compile(
    rb"(?m)^[\x00-\x09\x0b-\x7f]*"
    rb"(?:(?:[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3})"
    rb"[\x00-\x09\x0b-\x7f]*)+$"
)

# Bytes Python's cp932 codec decodes although the CP932 table leaves them undefined.
_UNDEFINED_IN_CP932 = re.compile("[\x80\uf8f0-\uf8f3]")
# CP932's user-defined area (外字, lead bytes F0–F9): private-use characters that mean something
# only on the PC that defined them; Western text read as CP932 lands there too (Lancôme).
_USER_DEFINED = re.compile("[\ue000-\uf8ef]")
_UNDEFINED_OR_USER_DEFINED = re.compile("[\x80\ue000-\uf8f3]")
# Japanese text: kana, kanji, full-width forms. Real Japanese has words of two or more.
_JAPANESE = re.compile("[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")
_JAPANESE_WORD = re.compile("[\u3000-\u30ff\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]{2}")
# What an accented letter of Western text becomes when read as CP932: a kana, a kanji, or a
# user-defined character (full-width digits and letters are not among them).
_JAPANESE_LETTER = "[\u3041-\u30ff\u4e00-\u9fff\ue000-\uf8ff\uf900-\ufaff\uff66-\uff9f]"
_LONE_JAPANESE_LETTER = re.compile(_JAPANESE_LETTER)
# One letter standing alone between two ASCII letters is an accented letter of a Western word:
# read as CP932, Crédit becomes Cr馘it; read as UTF-8, Société stays Société.
_LETTER_IN_LATIN_WORD_CP932 = re.compile(f"[A-Za-z]{_JAPANESE_LETTER}[A-Za-z]")
_LETTER_IN_LATIN_WORD_UTF8 = re.compile("[A-Za-z][\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f][A-Za-z]")


class InputFileError(Exception):
    """A whole input file cannot be used; the message names the file and the fault."""


@dataclass(frozen=True)
class InputFile:
    """One located input file and what is known about it before loading."""

    spec: InputSpec
    path: Path
    file_format: str
    encoding: str | None = None
    columns: tuple[str, ...] = ()
    skipped_lines: int = 0  # blank lines and empty records of a CSV: counted in row numbers, not read

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def missing_optional(self) -> tuple[str, ...]:
        return tuple(c for c in self.spec.optional if c not in self.columns)


def locate(raw_dir: Path, fiscal_year: str, spec: InputSpec) -> InputFile:
    """The one firms or transactions file of a fiscal year, as CSV or Parquet."""
    folder = raw_dir / fiscal_year
    found = [folder / f"{spec.kind}.{fmt}" for fmt in FORMATS if (folder / f"{spec.kind}.{fmt}").is_file()]
    if not found:
        raise InputFileError(f"{folder}: no {spec.kind}.csv or {spec.kind}.parquet")
    if len(found) > 1:
        raise InputFileError(f"{folder}: both {spec.kind}.csv and {spec.kind}.parquet exist; keep only one")
    path = found[0]
    if path.stat().st_size == 0:
        raise InputFileError(f"{path.name}: the file is empty")
    return InputFile(spec=spec, path=path, file_format=path.suffix[1:])


def _line_chunks(path: Path):
    """The file in large chunks that end at a line break (or at the end of the file)."""
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            yield chunk + f.readline()


def _line_at(path: Path, offset: int) -> tuple[int, bytes, int]:
    """The number (1-based), the bytes and the first byte's offset of the physical line that
    holds byte `offset`."""
    number, start = 1, 0
    for chunk in _line_chunks(path):
        if offset < start + len(chunk):
            at = offset - start
            number += chunk.count(b"\n", 0, at)
            begin = chunk.rfind(b"\n", 0, at) + 1
            finish = chunk.find(b"\n", at)
            return number, chunk[begin : finish if finish >= 0 else len(chunk)], start + begin
        number += chunk.count(b"\n")
        start += len(chunk)
    return number, b"", start


def _decodes(line: bytes, encoding: str) -> bool:
    try:
        text = line.decode(encoding)
    except UnicodeDecodeError:
        return False
    return encoding != "cp932" or not _UNDEFINED_IN_CP932.search(text)


def _refuse_nul(path: Path, chunk: bytes, offset: int) -> None:
    if (at := chunk.find(b"\x00")) >= 0:
        raise InputFileError(
            f"{path.name}: line {_line_at(path, offset + at)[0]} holds a NUL byte: binary content, "
            "not a CSV text file"
        )


def _first_utf8_error(path: Path, counter: RecordCounter | None) -> int | None:
    """Byte offset of the first invalid UTF-8 sequence, or None when the whole file is UTF-8.
    A NUL byte anywhere refuses the file. The counter sees each chunk that is UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    for chunk in _line_chunks(path):
        _refuse_nul(path, chunk, offset)
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as e:
            return offset + e.start
        if counter is not None:
            counter.feed(chunk)
        offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset - 1
    return None


def _utf8_text_line(chunk: bytes) -> int | None:
    """Offset in a CP932 chunk of a line that is well-formed UTF-8 text: Japanese, or a Western
    word with an accented letter (Société)."""
    for match in _UTF8_LINE.finditer(chunk):
        text = match.group().decode("utf-8")
        if _JAPANESE.search(text) or _LETTER_IN_LATIN_WORD_UTF8.search(text):
            return match.start()
    return None


@dataclass
class _Cp932Reading:
    """What reading a whole file as CP932 found: the first fault, and the first line of each
    kind that makes CP932 doubtful."""

    error: int | None = None
    japanese_letter: int | None = None
    latin_word: int | None = None
    user_defined: int | None = None
    utf8_line: int | None = None
    japanese_word: bool = False


def _read_as_cp932(path: Path) -> _Cp932Reading:
    found = _Cp932Reading()
    decoder = codecs.getincrementaldecoder("cp932")()
    offset = 0

    def at(text: str, index: int) -> int:  # byte offset of a character of this chunk's text
        return offset + len(text[:index].encode("cp932"))

    for chunk in _line_chunks(path):
        _refuse_nul(path, chunk, offset)
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as e:
            found.error = offset + e.start
            return found
        if odd := _UNDEFINED_OR_USER_DEFINED.search(text):  # one scan for both: rare, and slow to look for
            if found.user_defined is None and _USER_DEFINED.match(odd.group()):
                found.user_defined = at(text, odd.start())
            if undefined := _UNDEFINED_IN_CP932.search(text, odd.start()):
                found.error = at(text, undefined.start())
                return found
        if found.japanese_letter is None and (m := _LONE_JAPANESE_LETTER.search(text)):
            found.japanese_letter = at(text, m.start())
        if found.latin_word is None and (m := _LETTER_IN_LATIN_WORD_CP932.search(text)):
            found.latin_word = at(text, m.start())
        if found.utf8_line is None and (line := _utf8_text_line(chunk)) is not None:
            found.utf8_line = offset + line
        found.japanese_word = found.japanese_word or bool(_JAPANESE_WORD.search(text))
        offset += len(chunk)
    return found


def _neither(path: Path, line: int) -> InputFileError:
    return InputFileError(
        f"{path.name}: line {line} is neither UTF-8 nor CP932 (Shift_JIS); save the file as UTF-8 or CP932"
    )


def _mixed(path: Path, utf8_line: int, cp932_line: int) -> InputFileError:
    return InputFileError(
        f"{path.name}: mixes encodings: line {utf8_line} is UTF-8 but line {cp932_line} is CP932; "
        "save the whole file in one encoding"
    )


def _fault_in_both(path: Path, utf8_error: int, cp932_error: int) -> InputFileError:
    """The first line that decodes in neither encoding, or the two lines that show a mix. Every
    line before the later of the two first faults decodes in one of the encodings."""
    utf8_line, utf8_bytes, _ = _line_at(path, utf8_error)
    cp932_line, cp932_bytes, _ = _line_at(path, cp932_error)
    if utf8_line == cp932_line:
        return _neither(path, utf8_line)
    if cp932_line > utf8_line:  # lines before cp932_line are CP932, utf8_line among them
        return (
            _mixed(path, cp932_line, utf8_line)
            if _decodes(cp932_bytes, "utf-8")
            else _neither(path, cp932_line)
        )
    # lines before utf8_line are UTF-8, cp932_line among them
    return _mixed(path, cp932_line, utf8_line) if _decodes(utf8_bytes, "cp932") else _neither(path, utf8_line)


def _field_at(path: Path, offset: int) -> str:
    """'line N holds <the field around byte offset, read as CP932>'."""
    number, raw, start = _line_at(path, offset)
    before, after = raw[: offset - start], raw[offset - start :]
    field = before[before.rfind(b",") + 1 :] + after.split(b",", 1)[0]
    return f"line {number} holds {field.decode('cp932', 'replace').strip()[:60]!r}"


def detect_encoding(path: Path, counter: RecordCounter | None = None) -> str:
    """'utf-8' or 'cp932', judged on every byte of the file; anything else, or a mix of the two,
    is an InputFileError naming the line. A UTF-8 file's records are counted on the way."""
    with path.open("rb") as f:
        head = f.read(8192)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[1:200:2].count(0) > 50:
        raise InputFileError(
            f"{path.name}: UTF-16 text, neither UTF-8 nor CP932 (Shift_JIS); save the file as UTF-8 or CP932"
        )
    utf8_error = _first_utf8_error(path, counter)
    if utf8_error is None:
        return "utf-8"
    cp932 = _read_as_cp932(path)
    if cp932.error is not None:
        raise _fault_in_both(path, utf8_error, cp932.error)
    lone = None if cp932.japanese_word else cp932.japanese_letter  # kana and kanji, but never two in a row
    if cp932.latin_word is not None or lone is not None:
        offset = cp932.latin_word if cp932.latin_word is not None else lone
        raise InputFileError(
            f"{path.name}: not UTF-8, and not CP932 (Shift_JIS) either: read as CP932, "
            f"{_field_at(path, offset)}, Western text (Windows-1252 or Latin-1) read as Japanese; "
            "save the file as UTF-8"
        )
    if cp932.user_defined is not None:
        raise InputFileError(
            f"{path.name}: line {_line_at(path, cp932.user_defined)[0]} holds a CP932 user-defined "
            "character (外字), which means nothing outside the PC that defined it; replace it and save "
            "the file as UTF-8 or CP932"
        )
    if cp932.utf8_line is not None:
        raise _mixed(path, _line_at(path, cp932.utf8_line)[0], _line_at(path, utf8_error)[0])
    return "cp932"


def transcode_to_utf8(
    path: Path, encoding: str, destination: Path, counter: RecordCounter | None = None
) -> Path:
    """Write a UTF-8 copy of a CSV file, chunk by chunk, counting its records on the way."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with destination.open("wb") as target:
        for chunk in _line_chunks(path):
            text = decoder.decode(chunk).encode("utf-8")
            if counter is not None:
                counter.feed(text)
            target.write(text)
        target.write(decoder.decode(b"", final=True).encode("utf-8"))
    return destination


# What a blank line may hold (csv_records.py): nothing but these.
_BLANK_LINE = " \t\r\n,\u3000\x1a\ufeff"


def csv_header(path: Path) -> tuple[tuple[str, ...], int]:
    """The column names of a UTF-8 CSV file's header row, and the header's line: the first line
    that is not blank."""
    with path.open("r", encoding="utf-8-sig", newline="") as f:
        for number, line in enumerate(f, start=1):
            if line.strip(_BLANK_LINE):
                first = next(csv.reader(io.StringIO(line)), [])
                return tuple(column.strip() for column in first), number
    return (), 1


def check_columns(file: InputFile) -> None:
    """A missing required column, or a column the pipeline reads given twice, is an error naming
    the file and the column; other columns are ignored, whatever their names."""
    if file.file_format == "csv" and len(file.columns) <= 1:
        raise InputFileError(
            f"{file.name}: the header has {len(file.columns)} column(s) "
            f"({', '.join(file.columns)!s:.80}); the file must be comma-separated"
        )
    missing = [c for c in file.spec.required if c not in file.columns]
    if missing:
        raise InputFileError(f"{file.name}: missing required column(s): {', '.join(missing)}")
    repeated = [c for c in file.spec.columns if file.columns.count(c) > 1]
    if repeated:
        raise InputFileError(
            f"{file.name}: the header repeats column(s) {', '.join(repeated)}; keep one of each"
        )


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
