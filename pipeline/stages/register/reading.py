"""Reading the register files: one pass per file out of its zip, decoded, into DuckDB.

DuckDB reads neither inside a zip nor CP932 here, so each CSV is streamed out of its zip in
16 MB chunks into a temporary folder. The encoding is judged per file on its first chunk that
is not plain ASCII (whichever of UTF-8 and CP932 reads it with fewer faults); a UTF-8 file is
then written as it is and checked chunk by chunk, a CP932 file is transcoded by `iconv` (C, a
process of its own) or, without it, by Python's codec. A plain CSV that is UTF-8 is read where
it lies. A byte that does not decode is a fault of its line, found again on the (rare) faulty
file only. DuckDB then parses every file at once (30 columns, all text, only the columns the
register keeps taken) and keeps every row's structural faults (`store_rejects`), so that every
bad line of every file is reported together, and nothing is recorded.
"""

from __future__ import annotations

import codecs
import itertools
import re
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.stages.ingest.input_files import sha256_of
from pipeline.stages.register.files import RegisterError, RegisterFile, RegisterFiles
from pipeline.stages.register.layout import COLUMNS
from pipeline.warehouse.connection import sql_text

CHUNK_BYTES = 16 * 1024 * 1024
MAX_REPORTED = 50  # bad lines named, per load; the count says how many more
ENCODING_NAMES = {"utf-8": "UTF-8", "cp932": "Shift_JIS (CP932)"}


@dataclass(frozen=True)
class Fault:
    """One bad line of one file, as the load reports it."""

    apply_order: int
    source_file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source_file}: line {self.line}: {self.message}"


@dataclass(frozen=True)
class DecodedFile:
    file: RegisterFile
    csv_path: Path  # a UTF-8 CSV DuckDB can read
    encoding: str  # "utf-8" or "cp932", as found in the NTA file
    member: str | None  # the CSV's name inside the zip
    sha256: str  # of the file as given (the zip, or the plain CSV)
    lines: int  # the CSV's lines (a last line without a line break counts)
    faults: list[Fault] = field(default_factory=list)  # bytes that do not decode, by line


@contextmanager
def _member(file: RegisterFile) -> Iterator[tuple[str | None, Iterator[bytes]]]:
    """The CSV's name in the zip (None for a plain CSV) and its bytes in chunks."""
    if file.path.suffix.lower() != ".zip":
        with file.path.open("rb") as plain:
            yield None, iter(lambda: plain.read(CHUNK_BYTES), b"")
        return
    try:
        archive = zipfile.ZipFile(file.path)
    except zipfile.BadZipFile:
        raise RegisterError(f"{file.path.name}: not a zip file") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1 or not members[0].filename.lower().endswith(".csv"):
            names = ", ".join(m.filename for m in members) or "nothing"
            raise RegisterError(f"{file.path.name}: holds {names}; the NTA's zip holds one CSV")
        info = members[0]
        if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 1:
            with archive.open(info) as stream:
                yield info.filename, iter(lambda: stream.read(CHUNK_BYTES), b"")
            return
        with file.path.open("rb") as raw:
            yield info.filename, _inflated(file, raw, info)


# ISA-L's inflate (the optional `isal` package) is about three times zlib's; zlib otherwise.
try:
    from isal import isal_zlib as _deflate
except ImportError:  # pragma: no cover - the package is optional
    import zlib as _deflate

_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length


def _inflated(file: RegisterFile, raw, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A deflated member's bytes in chunks of about CHUNK_BYTES, its CRC-32 checked as zipfile
    would (read past its local header; the central directory gave where and how long)."""
    raw.seek(info.header_offset)
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
    if signature != b"PK\x03\x04":
        raise RegisterError(f"{file.path.name}: not a zip file (no local header for {info.filename})")
    raw.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    inflater = _deflate.decompressobj(-15)
    remaining = info.compress_size
    crc = size = 0
    try:
        while True:
            if inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            elif remaining and (data := raw.read(min(remaining, CHUNK_BYTES // 8))):
                remaining -= len(data)
            else:
                break
            if out := inflater.decompress(data, CHUNK_BYTES):
                crc, size = _deflate.crc32(out, crc), size + len(out)
                yield out
        if out := inflater.flush():
            crc, size = _deflate.crc32(out, crc), size + len(out)
            yield out
    except _deflate.error as error:
        raise RegisterError(f"{file.path.name}: the zip is damaged ({error}); download it again") from None
    if crc != info.CRC or size != info.file_size:
        raise RegisterError(f"{file.path.name}: the zip is damaged (its CRC-32 differs); download it again")


def _faults_in(chunk: bytes, encoding: str) -> int:
    """How many byte sequences of `chunk` the encoding cannot read (a split last character
    is not one)."""
    text = codecs.getincrementaldecoder(encoding)("replace").decode(chunk)
    return text.count("\ufffd")


JUDGED_BYTES = 256 * 1024  # the start of the first chunk that is not plain ASCII


def judge_encoding(chunk: bytes) -> str:
    """UTF-8 or CP932 for a chunk that is not plain ASCII, from its first 256 KB (to its
    last line break): whichever reads it with fewer faults (UTF-8 on a tie, and when it is
    valid UTF-8). The rest of the file is then read as that encoding, every fault reported."""
    if len(chunk) > JUDGED_BYTES:
        end = chunk.rfind(b"\n", 0, JUDGED_BYTES)
        chunk = chunk[: end + 1] if end > 0 and not chunk[: end + 1].isascii() else chunk[:JUDGED_BYTES]
    try:
        codecs.getincrementaldecoder("utf-8")().decode(chunk)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    return "cp932" if _faults_in(chunk, "cp932") < _faults_in(chunk, "utf-8") else "utf-8"


def _undecodable_lines(data: bytes, encoding: str) -> tuple[list[int], int]:
    """The lines (1-based) holding bytes that `encoding` cannot read, up to MAX_REPORTED, and
    how many such lines in all. Only for a file already known to hold one: each fault is
    looked for from the start of the line after the last."""
    lines: list[int] = []
    position = 0
    total = 0
    while position < len(data):
        try:
            codecs.decode(memoryview(data)[position:], encoding)
            break
        except UnicodeDecodeError as error:
            at = position + error.start
        total += 1
        if len(lines) < MAX_REPORTED:
            lines.append(data.count(b"\n", 0, at) + 1)
        following = data.find(b"\n", at)
        if following < 0 or total >= MAX_REPORTED:
            if following >= 0:  # the rest is counted, not located: its bad sequences
                rest = data[following + 1 :].decode(encoding, "replace").count("\ufffd")
                total += rest
            break
        position = following + 1
    return lines, total


def _fault_lines(file: RegisterFile, order: int, data: bytes, encoding: str) -> list[Fault]:
    lines, total = _undecodable_lines(data, encoding)
    name = ENCODING_NAMES[encoding]
    message = f"INVALID ENCODING: a byte that is not {name}"
    faults = [Fault(order, file.path.name, line, message) for line in lines]
    if total > len(lines):
        faults.append(
            Fault(
                order,
                file.path.name,
                lines[-1],
                f"... and {total - len(lines):,} more bytes that are not {name} after this line",
            )
        )
    return faults


def _whole(file: RegisterFile) -> bytes:
    with _member(file) as (_, chunks):
        return b"".join(chunks)


class _Iconv:
    """CP932 to UTF-8 by iconv, writing `target`; False from `close` when it refused a byte."""

    def __init__(self, target: Path, append: bool = False) -> None:
        self._out = target.open("ab" if append else "wb")
        self._process = subprocess.Popen(
            ["iconv", "-f", "CP932", "-t", "UTF-8"],
            stdin=subprocess.PIPE,
            stdout=self._out,
            stderr=subprocess.DEVNULL,
        )

    def write(self, chunk: bytes) -> bool:
        try:
            self._process.stdin.write(chunk)  # type: ignore[union-attr]
            return True
        except BrokenPipeError:  # iconv stopped at a byte it cannot convert
            return False

    def close(self) -> bool:
        with suppress(BrokenPipeError):
            self._process.stdin.close()  # type: ignore[union-attr]
        code = self._process.wait()
        self._out.close()
        return code == 0


def _transcode_in_python(data: bytes, target: Path) -> None:
    """CP932 to UTF-8 by Python's codec (without iconv, or for a faulty file: a byte that
    does not decode becomes U+FFFD and is reported as its line's fault)."""
    target.write_bytes(data.decode("cp932", "replace").encode("utf-8"))


class _Decoder:
    """Writes one file's chunks as UTF-8 to `target`, as they come: held back while they are
    plain ASCII (no evidence of the encoding yet), then written as they are (UTF-8, checked)
    or through iconv (CP932). `faulty` when a byte did not decode (or iconv is missing): the
    file is then decoded again whole, and its faulty lines found."""

    HELD_CHUNKS = 4  # ASCII chunks held back at most; then written out (the same in UTF-8)

    def __init__(self, target: Path, in_place: bool) -> None:
        self.target = target
        self.in_place = in_place  # a plain CSV: written out only when it must be
        self.encoding: str | None = None
        self.faulty = False
        self.written = False  # whether `target` holds the file
        self.lines = 0
        self._ends_line = True
        self._held: list[bytes] = []
        self._out = None
        self._iconv: _Iconv | None = None
        self._checker = codecs.getincrementaldecoder("utf-8")()

    def _raw(self, chunk: bytes) -> None:
        if self._out is None:
            self._out = self.target.open("wb")
            self.written = True
        self._out.write(chunk)

    def feed(self, chunk: bytes) -> None:
        self.lines += chunk.count(b"\n")  # never a byte of a multibyte character, in either
        self._ends_line = chunk.endswith(b"\n")
        if self.encoding is None:
            if chunk.isascii():
                self._held.append(chunk)
                if len(self._held) > self.HELD_CHUNKS:
                    for held in self._held:
                        self._raw(held)
                    self._held = []
                return
            self.encoding = judge_encoding(chunk)
            held, self._held = self._held, []
            if self.encoding == "cp932":
                if self._out is not None:
                    self._out.close()
                if shutil.which("iconv"):
                    self._iconv = _Iconv(self.target, append=self.written)
                else:
                    self.faulty = True  # Python's codec, on the whole file, afterwards
                self.written = True
                for earlier in held:
                    self._to_iconv(earlier)
            elif not self.in_place or self.written:
                for earlier in held:
                    self._raw(earlier)
        if self.encoding == "utf-8":
            if not self.faulty:
                try:
                    self._checker.decode(chunk)
                except UnicodeDecodeError:
                    self.faulty = True
            if not self.in_place or self.written:
                self._raw(chunk)
        else:
            self._to_iconv(chunk)

    def _to_iconv(self, chunk: bytes) -> None:
        if self._iconv is not None and not self.faulty and not self._iconv.write(chunk):
            self.faulty = True

    def close(self) -> None:
        self.lines += not self._ends_line
        if self.encoding is None:  # plain ASCII throughout: UTF-8
            self.encoding = "utf-8"
            if not self.in_place or self.written:
                for held in self._held:
                    self._raw(held)
        elif self.encoding == "utf-8" and not self.faulty:
            try:
                self._checker.decode(b"", final=True)
            except UnicodeDecodeError:
                self.faulty = True
        if not self.in_place and not self.written:
            self._raw(b"")  # an empty member: an empty CSV
        if self._out is not None and self.encoding == "utf-8":
            self._out.close()
        if self._iconv is not None and not self._iconv.close():
            self.faulty = True


def decode_file(file: RegisterFile, folder: Path, order: int = 0) -> DecodedFile:
    """The file as a UTF-8 CSV: extracted (and transcoded) into `folder`, or read in place; its
    undecodable lines in `faults` (looked for on a faulty file only)."""
    target = folder / f"{order:04d}_{file.path.stem}.csv"
    decoder = _Decoder(target, in_place=file.path.suffix.lower() == ".csv")
    try:
        with _member(file) as (member, chunks):
            for chunk in chunks:
                decoder.feed(chunk)
    finally:
        decoder.close()
    encoding = decoder.encoding or "utf-8"
    faults: list[Fault] = []
    if decoder.faulty:
        data = _whole(file)
        if encoding == "cp932":
            _transcode_in_python(data, target)
        faults = _fault_lines(file, order, data, encoding)
    csv_path = target if decoder.written else file.path
    return DecodedFile(file, csv_path, encoding, member, sha256_of(file.path), decoder.lines, faults)


def _rejected_lines(con: duckdb.DuckDBPyConnection, decoded: list[DecodedFile]) -> list[Fault]:
    """DuckDB's structural faults; a byte that does not decode is the decoder's to report."""
    by_path = {str(d.csv_path): (order, d.file.path.name) for order, d in enumerate(decoded)}
    rows = con.execute(sql_text("register/rejected_lines")).fetchall()
    return [Fault(*by_path.get(path, (len(decoded), path)), line, message) for path, line, message in rows]


_BLANK_LINE = re.compile(rb"(?m)^\r?\n")


def _blank_lines(decoded: DecodedFile, order: int) -> list[Fault]:
    """A file's blank lines (which DuckDB skips), found when it read fewer rows than lines;
    a file without any read fewer rows because a quoted value holds a line break."""
    data = _whole(decoded.file)
    name = decoded.file.path.name
    found = [m.start() for m in itertools.islice(_BLANK_LINE.finditer(data), MAX_REPORTED)]
    if not found:
        return [Fault(order, name, 1, "a line break inside a quoted value: one row over several lines")]
    faults = [Fault(order, name, data.count(b"\n", 0, at) + 1, "BLANK LINE: no columns") for at in found]
    if len(found) == MAX_REPORTED and _BLANK_LINE.search(data, found[-1] + 1):
        faults.append(Fault(order, name, faults[-1].line, "... and more blank lines after this line"))
    return faults


def _report(faults: list[Fault]) -> str:
    faults = sorted(faults, key=lambda f: (f.apply_order, f.line))
    lines = [str(f) for f in faults[:MAX_REPORTED]]
    if len(faults) > MAX_REPORTED:
        lines.append(f"... and {len(faults) - MAX_REPORTED:,} more bad lines")
    return "\n".join(lines)


PARSE_THREADS = 1  # DuckDB's while it reads: one thread parses while the next files decode
DECODE_WORKERS = 2


def _insert(con: duckdb.DuckDBPyConnection, batch: list[DecodedFile], first: int, offset: int) -> int:
    """Parse `batch` (files `first`, `first` + 1, ... of the apply order) into register_entries,
    its rows numbered on from `offset`; the rows inserted."""
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in COLUMNS) + "}"
    try:  # the column list is the layout's, not user text
        return con.execute(
            sql_text("register/load_rows").replace("$columns", columns),
            {"files": [str(d.csv_path) for d in batch], "first": first, "offset": offset},
        ).fetchone()[0]
    except duckdb.Error as error:
        raise RegisterError(f"the register files cannot be read: {str(error).splitlines()[0]}") from None


def read_register(con: duckdb.DuckDBPyConnection, files: RegisterFiles, folder: Path) -> list[DecodedFile]:
    """Decode every applied file into `folder` (two at once: zlib, hashing and the writes run
    outside the GIL, iconv in a process of its own) and parse each into `register_entries` as
    soon as it and the files before it are decoded, while the next ones decode. Call inside the
    load's transaction: every malformed or undecodable line of every file is one line of the
    RegisterError, and the transaction then records nothing."""
    con.execute("drop table if exists register_reject_errors; drop table if exists register_reject_scans")
    threads = con.execute("select current_setting('threads')").fetchone()[0]
    decoded: list[DecodedFile] = []
    rows = 0
    pool = ThreadPoolExecutor(max_workers=DECODE_WORKERS)
    try:
        con.execute(f"set threads = {PARSE_THREADS}")
        pending = [pool.submit(decode_file, f, folder, order) for order, f in enumerate(files.applied)]
        while pending:
            batch = [pending.pop(0).result()]
            while pending and pending[0].done():  # what else is ready, in order: one read_csv
                batch.append(pending.pop(0).result())
            rows += _insert(con, batch, len(decoded), rows)
            decoded += batch
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        con.execute(f"set threads = {int(threads)}")
    faults = [f for d in decoded for f in d.faults] + _rejected_lines(con, decoded)
    applied = dict(con.execute("select apply_order, count(*) from register_entries group by all").fetchall())
    rejected = dict(con.execute(sql_text("register/rejected_rows")).fetchall())
    for order, d in enumerate(decoded):
        if applied.get(order, 0) + rejected.get(str(d.csv_path), 0) < d.lines:
            faults += _blank_lines(d, order)
    if faults:
        raise RegisterError(_report(faults))
    return decoded
