"""Finding, decoding and describing one fiscal year's input files (contract §1).

DuckDB reads only UTF-8 here, so a CP932 file is transcoded, streaming, before
DuckDB sees it. Everything that is wrong with a whole file becomes an
`InputFileError` whose message names the file and what is wrong.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.contract import InputSpec

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
# Real Japanese UTF-8 text decodes to kana, kanji or full-width forms.
_JAPANESE = re.compile("[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")


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


def _first_utf8_error(path: Path) -> int | None:
    """Byte offset of the first invalid UTF-8 sequence, or None when the whole file is UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as e:
                return offset + e.start
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    return None


def _line_chunks(path: Path):
    """The file in large chunks that end at a line break."""
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            yield chunk + f.readline()


def _line_number(path: Path, offset: int) -> int:
    with path.open("rb") as f:
        return f.read(offset).count(b"\n") + 1


def _japanese_utf8_line(chunk: bytes) -> int | None:
    """Offset in a CP932 chunk of a line that is well-formed UTF-8 Japanese text."""
    for match in _UTF8_LINE.finditer(chunk):
        if _JAPANESE.search(match.group().decode("utf-8")):
            return match.start()
    return None


def _neither(path: Path, offset: int) -> InputFileError:
    return InputFileError(
        f"{path.name}: line {_line_number(path, offset)} is neither UTF-8 nor CP932 (Shift_JIS); "
        "save the file as UTF-8 or CP932"
    )


def detect_encoding(path: Path) -> str:
    """'utf-8' or 'cp932'; anything else, or a mix of the two, is an InputFileError."""
    with path.open("rb") as f:
        head = f.read(8192)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[1:200:2].count(0) > 50:
        raise InputFileError(
            f"{path.name}: UTF-16 text, neither UTF-8 nor CP932 (Shift_JIS); save the file as UTF-8 or CP932"
        )
    if b"\x00" in head:
        raise InputFileError(f"{path.name}: binary content (NUL bytes), not a CSV text file")
    utf8_error = _first_utf8_error(path)
    if utf8_error is None:
        return "utf-8"
    decoder = codecs.getincrementaldecoder("cp932")()
    offset = 0
    utf8_line_at: int | None = None
    for chunk in _line_chunks(path):
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as e:
            raise _neither(path, offset + e.start) from None
        if undefined := _UNDEFINED_IN_CP932.search(text):
            raise _neither(path, offset + len(text[: undefined.start()].encode("cp932")))
        if utf8_line_at is None and (at := _japanese_utf8_line(chunk)) is not None:
            utf8_line_at = offset + at
        offset += len(chunk)
    if utf8_line_at is not None:
        raise InputFileError(
            f"{path.name}: mixes encodings: line {_line_number(path, utf8_line_at)} is UTF-8 "
            f"but line {_line_number(path, utf8_error)} is CP932; save the whole file in one encoding"
        )
    return "cp932"


def transcode_to_utf8(path: Path, encoding: str, destination: Path) -> Path:
    """Write a UTF-8 copy of a CSV file, chunk by chunk."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as source, destination.open("wb") as target:
        while chunk := source.read(CHUNK_BYTES):
            target.write(decoder.decode(chunk).encode("utf-8"))
        target.write(decoder.decode(b"", final=True).encode("utf-8"))
    return destination


def csv_header(path: Path, encoding: str) -> tuple[str, ...]:
    """The column names of a CSV file's header row."""
    python_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    with path.open("r", encoding=python_encoding, newline="") as f:
        first = next(csv.reader(io.StringIO(f.readline())), [])
    return tuple(column.strip() for column in first)


def check_columns(file: InputFile) -> None:
    """A missing required column is an error naming the file and the column."""
    if file.file_format == "csv" and len(file.columns) <= 1:
        raise InputFileError(
            f"{file.name}: the header has {len(file.columns)} column(s) "
            f"({', '.join(file.columns)!s:.80}); the file must be comma-separated"
        )
    missing = [c for c in file.spec.required if c not in file.columns]
    if missing:
        raise InputFileError(f"{file.name}: missing required column(s): {', '.join(missing)}")


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
