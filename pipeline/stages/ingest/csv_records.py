"""The records of a CSV file (RFC 4180), found with vectorised byte operations in large chunks.

A record ends at a line feed outside quotes: a quoted value may hold line breaks. A record's
number is the line a clerk sees in a spreadsheet, the header being 1 and blank lines counted.
DuckDB skips blank lines without counting them and refuses lines of only spaces, so a file that
has such lines is rewritten, once, with an empty record in place of each one (the raw view
skips empty records); blank lines before the header go, and their count moves the header down.
The same pass removes a DOS end-of-file mark (Ctrl-Z) and makes every line break outside quotes
a line feed: DuckDB refuses a file that mixes CRLF and LF. Values are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

LF, CR, QUOTE, COMMA, SPACE, TAB, CTRL_Z = 10, 13, 34, 44, 32, 9, 26
BOM = b"\xef\xbb\xbf"
# What a blank line may hold: spaces, tabs, full-width spaces (U+3000), carriage returns. A line of
# commas is a record of empty fields, which DuckDB reads (and the raw view skips) as it is.
_BLANK_BYTES = np.array([SPACE, TAB, CR, CTRL_Z], np.uint8)


class RecordCounter:
    """Counts a UTF-8 CSV file's records from its chunks, each of which ends at a line feed
    (or at the end of the file): line feeds outside quotes, and a last line without one."""

    def __init__(self) -> None:
        self._ends = 0
        self._inside = False  # whether the text so far leaves a quoted value open
        self._last_byte: int | None = None

    def feed(self, chunk: bytes) -> None:
        data = np.frombuffer(chunk, np.uint8)
        line_feeds = int(np.count_nonzero(data == LF))
        if self._inside or chunk.find(b'"') >= 0:  # find is memchr: most chunks have no quote
            quotes = np.flatnonzero(data == QUOTE)
            line_feeds -= _line_feeds_in_quotes(data, quotes, self._inside)
            self._inside = bool((len(quotes) + self._inside) % 2)
        self._ends += line_feeds
        if chunk:
            self._last_byte = chunk[-1]

    @property
    def records(self) -> int:
        """Records in the file, the header and blank lines included."""
        return self._ends + (self._last_byte not in (None, LF))

    @property
    def ends_with_ctrl_z(self) -> bool:
        return self._last_byte == CTRL_Z


@dataclass(frozen=True)
class Rewrite:
    """What `rewrite_blank_lines` did."""

    header_line: int  # the header's line: 1, or lower down after blank lines before it
    blank_lines: int  # blank lines after the header, each now an empty record
    changed: bool  # whether the copy differs from the file at all


def _outside_quotes(quotes: np.ndarray, positions: np.ndarray, inside: bool) -> np.ndarray:
    """Which of `positions` lie outside quoted values, given the quote positions of the chunk and
    whether the chunk starts inside one (a doubled quote "" toggles twice, so parity tells)."""
    return (np.searchsorted(quotes, positions) + inside) % 2 == 0


def _gather(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions of every byte of the pieces [start, start + length), in one index array."""
    first = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    return np.repeat(starts - first, lengths) + np.arange(int(lengths.sum()))


def _line_feeds_in_quotes(data: np.ndarray, quotes: np.ndarray, inside: bool) -> int:
    """Line feeds inside the chunk's quoted values, from the bytes between each opening quote and
    its closing one (few, as a rule)."""
    bounds = np.concatenate(([0], quotes)) if inside else quotes
    if len(bounds) % 2:  # the last quoted value runs on into the next chunk
        bounds = np.append(bounds, len(data))
    at = _gather(bounds[0::2], bounds[1::2] - bounds[0::2])
    return int(np.count_nonzero(data[at] == LF))


def _blank(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, commas: bool = False) -> np.ndarray:
    """Which lines [start, end) are blank: empty, or only the bytes a blank line may hold (with
    `commas`, commas too). Only the lines that start with such a byte are read byte by byte."""
    allowed = np.append(_BLANK_BYTES, COMMA) if commas else _BLANK_BYTES
    blank = ends == starts
    first_bytes = data[np.minimum(starts, len(data) - 1)]
    maybe = np.flatnonzero(~blank & np.isin(first_bytes, np.append(allowed, 0xE3)))
    if len(maybe):
        lengths = ends[maybe] - starts[maybe]
        held = data[_gather(starts[maybe], lengths)]
        ok = np.isin(held, allowed)
        wide = np.flatnonzero(held[:-2] == 0xE3)  # U+3000, the full-width space, is E3 80 80
        wide = wide[(held[wide + 1] == 0x80) & (held[wide + 2] == 0x80)]
        ok[wide] = ok[wide + 1] = ok[wide + 2] = True
        line = np.repeat(np.arange(len(maybe)), lengths)
        blank[maybe] = np.bincount(line, weights=~ok, minlength=len(maybe)) == 0
    return blank


class _Rewriter:
    """The rewrite of one file, chunk by chunk; see `rewrite_blank_lines`."""

    def __init__(self, fields: int) -> None:
        self.fields = fields
        self.inside = False
        self.header_seen = False
        self.leading = 0
        self.blank = 0
        self.changed = False

    def chunk(self, chunk: bytes, first: bool, last: bool) -> bytes:
        data = np.frombuffer(chunk, np.uint8)
        size = len(data)
        drop = [np.arange(len(BOM))] if first and chunk.startswith(BOM) else []
        quotes = np.flatnonzero(data == QUOTE)
        line_feeds = np.flatnonzero(data == LF)
        ends = line_feeds[_outside_quotes(quotes, line_feeds, self.inside)]
        starts = np.concatenate(([3 if drop else 0], ends[:-1] + 1))
        blank = _blank(data, starts, ends)
        if self.inside and len(blank):  # the first piece ends a quoted value of the last chunk
            blank[0] = False
        self.inside = bool((len(quotes) + self.inside) % 2)
        if last:  # Ctrl-Z at the end, and a last line of only spaces without a line feed
            tail = ends[-1] + 1 if len(ends) else 0
            text = np.flatnonzero(data[tail:] != CTRL_Z)
            kept = tail + (text[-1] + 1 if len(text) else 0)
            if _blank(data, np.array([tail]), np.array([kept]))[0]:
                kept = tail
            drop.append(np.arange(kept, size))
        # Blank lines, and rows of empty cells, before the header go, line feed and all.
        leading = 0
        if not self.header_seen:
            empty = _blank(data, starts, ends, commas=True)
            leading = len(empty) if empty.all() else int(np.argmin(empty))
            self.header_seen = leading < len(empty) or last
            drop.append(_gather(starts[:leading], ends[:leading] + 1 - starts[:leading]))
            self.leading += leading
        blank[:leading] = False
        # A blank line after the header becomes an empty record; every line break outside quotes
        # becomes a line feed.
        drop.append(_gather(starts[blank], ends[blank] - starts[blank]))
        drop.append(ends[(ends > 0) & (data[np.maximum(ends - 1, 0)] == CR)] - 1)
        dropped = np.concatenate(drop)
        if not len(dropped) and not blank.any():
            return chunk
        keep = np.ones(size, bool)
        keep[dropped] = False
        kept = data[keep]
        if blank.any() and self.fields > 1:
            at = (np.cumsum(keep) - 1)[ends[blank]]  # each blank line's line feed, in `kept`
            kept = np.insert(kept, np.repeat(at, self.fields - 1), COMMA)
        self.blank += int(np.count_nonzero(blank))
        self.changed = True
        return kept.tobytes()


def rewrite_blank_lines(source: Path, destination: Path, fields: int, chunk_bytes: int) -> Rewrite:
    """Copy a UTF-8 CSV file with each blank line (nothing, or only spaces, tabs, full-width
    spaces) after the header as an empty record of `fields` fields, blank lines and rows of
    empty cells before the header removed, every line break outside quotes a line feed, and
    Ctrl-Z at the end removed; quoted values are copied as they are."""
    rewriter = _Rewriter(fields)
    with source.open("rb") as f, destination.open("wb") as out:
        chunk, first = f.read(chunk_bytes) + f.readline(), True
        while chunk:
            following = f.read(chunk_bytes) + f.readline()
            out.write(rewriter.chunk(chunk, first, last=not following))
            chunk, first = following, False
    return Rewrite(1 + rewriter.leading, rewriter.blank, rewriter.changed)
