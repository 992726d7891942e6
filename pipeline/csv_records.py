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


def _line_feeds_in_quotes(data: np.ndarray, quotes: np.ndarray, inside: bool) -> int:
    """Line feeds inside the chunk's quoted values, from the bytes between each opening quote and
    its closing one (few, as a rule), gathered in one index array."""
    bounds = np.concatenate(([0], quotes)) if inside else quotes
    if len(bounds) % 2:  # the last quoted value runs on into the next chunk
        bounds = np.append(bounds, len(data))
    starts, lengths = bounds[0::2], bounds[1::2] - bounds[0::2]
    if not lengths.sum():
        return 0
    first = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    at = np.repeat(starts - first, lengths) + np.arange(lengths.sum())
    return int(np.count_nonzero(data[at] == LF))


def _blank_counts(data: np.ndarray, commas: bool = False) -> np.ndarray:
    """Running count of the bytes a blank line may not hold (U+3000's three bytes it may), with
    a 0 in front: a piece [s, e) is blank where counts[e] == counts[s]. With `commas`, commas
    count as blank too (an empty row above the header)."""
    blank = np.isin(data, _BLANK_BYTES)
    if commas:
        blank |= data == COMMA
    lead = np.flatnonzero(data[:-2] == 0xE3)
    wide = lead[(data[lead + 1] == 0x80) & (data[lead + 2] == 0x80)]
    blank[wide] = blank[wide + 1] = blank[wide + 2] = True
    return np.concatenate(([0], np.cumsum(~blank, dtype=np.int32)))


def _ranges(starts: np.ndarray, ends: np.ndarray, size: int) -> np.ndarray:
    """A mask of `size` that is True inside every [start, end)."""
    edges = np.bincount(starts, minlength=size + 1) - np.bincount(ends, minlength=size + 1)
    return np.cumsum(edges[:size]) > 0


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
        delete = np.zeros(size, bool)
        if first and chunk.startswith(BOM):
            delete[:3] = True
        if last:  # a DOS end-of-file mark (Ctrl-Z) and whatever blank follows the last line feed
            kept = np.flatnonzero(data != CTRL_Z)
            delete[(kept[-1] + 1 if len(kept) else 0) :] = True
        quotes = np.flatnonzero(data == QUOTE)
        line_feeds = np.flatnonzero(data == LF)
        ends = line_feeds[_outside_quotes(quotes, line_feeds, self.inside)]
        starts = np.concatenate(([3 if first and chunk.startswith(BOM) else 0], ends[:-1] + 1))
        nonblank = _blank_counts(data)
        blank = nonblank[ends] == nonblank[starts]
        if self.inside and len(blank):  # the first piece ends a quoted value of the last chunk
            blank[0] = False
        if last:
            tail = ends[-1] + 1 if len(ends) else 0
            if tail < size and nonblank[size] == nonblank[tail]:
                delete[tail:] = True  # a last line of only spaces, without a line feed
        self.inside = bool((len(quotes) + self.inside) % 2)
        # Blank lines, and rows of empty cells, before the header go, line feed and all.
        leading = 0
        if not self.header_seen:
            counts = _blank_counts(data, commas=True)
            empty = counts[ends] == counts[starts]
            leading = len(empty) if empty.all() else int(np.argmin(empty))
            self.header_seen = leading < len(empty) or (last and tail < size)
            delete |= _ranges(starts[:leading], ends[:leading] + 1, size)
            self.leading += leading
        blank[:leading] = False
        # A blank line after the header becomes an empty record; every line break outside quotes
        # becomes a line feed.
        delete |= _ranges(starts[blank], ends[blank], size)
        carriage = ends[(ends > 0) & (data[np.maximum(ends - 1, 0)] == CR)] - 1
        delete[carriage] = True
        self.blank += int(np.count_nonzero(blank))
        kept = data[~delete]
        if np.count_nonzero(blank) and self.fields > 1:
            at = (np.cumsum(~delete) - 1)[ends[blank]]  # each blank line's line feed, in `kept`
            kept = np.insert(kept, np.repeat(at, self.fields - 1), COMMA)
        self.changed = self.changed or len(kept) != size or bool(np.count_nonzero(blank))
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
