"""Text measured in terminal cells, and tables laid out in them.

A wide character (CJK, most emoji) takes 2 cells, a combining mark 0, so ``len()`` lies
about any title that is not ASCII. Widths come from wcwidth (grapheme clusters, emoji ZWJ
sequences, variation selectors); it is imported only when a cell is not ASCII, where
``len()`` is exact (textsafe.clean has already escaped every control character).

A row is never wider than the terminal, so it never wraps: the flexible columns give up
their width first, then the other columns that may be cut, and a row still too wide
(a terminal narrower than the headers) is cut as a whole.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Sequence
from typing import TextIO

GAP = "  "  # between columns
MIN_CUT = 4  # a cut column keeps at least its header, or this many cells
FAIR_SHARE = 16  # what a title keeps before the other columns are cut too


def terminal_width(out: TextIO) -> int | None:
    """The width to fit: COLUMNS when set, else the terminal's; None (cut nothing) when
    stdout is a pipe or a file, where a script wants whole values."""
    cols = os.environ.get("COLUMNS", "")
    if cols.isdigit() and int(cols) > 0:
        return int(cols)
    try:
        if out.isatty():
            return os.get_terminal_size(out.fileno()).columns
    except (OSError, ValueError, AttributeError):
        pass
    return None


# Below U+0300 (Latin-1 and the Latin extensions, before the combining marks) every
# printable character takes one cell: accented titles need no table lookup. wcwidth
# costs ~40 ms to import, paid by every listing that shows a non-ASCII title.
_NARROW_BELOW = "\u0300"
_ONE_CELL = frozenset("…")


def _narrow(text: str) -> bool:
    if text.isascii() or max(text) < _NARROW_BELOW:
        return True
    return all(c < _NARROW_BELOW or c in _ONE_CELL for c in text)


def width(text: str) -> int:
    """Terminal cells ``text`` takes (already cleaned: no control characters)."""
    if _narrow(text):
        return len(text)
    from wcwidth import width as wc_width

    return max(0, wc_width(text))


def cut(text: str, cells: int, ellipsis: str = "…") -> str:
    """``text`` in at most ``cells`` cells, ending with ``ellipsis`` when cut."""
    if width(text) <= cells:
        return text
    room = cells - width(ellipsis)
    if room < 0:
        return ellipsis[: max(0, cells)]
    if _narrow(text):
        return text[:room] + ellipsis
    from wcwidth import clip

    # clip() keeps whole grapheme clusters; a wide character split at the edge becomes a space.
    return clip(text, 0, room) + ellipsis


def pad(text: str, cells: int) -> str:
    return text + " " * max(0, cells - width(text))


class Fitter:
    """What one output stream can show: how wide it is (None: no limit) and which
    characters its encoding has (the rest is escaped before measuring, so a table printed
    with PYTHONIOENCODING=ascii or in a C locale still lines up)."""

    def __init__(self, out: TextIO) -> None:
        self.width = terminal_width(out)
        encoding = getattr(out, "encoding", None) or "utf-8"
        try:
            self.encoding = codecs.lookup(encoding).name
        except LookupError:
            self.encoding = "utf-8"
        self.unicode = self.encoding.startswith("utf")
        self.ellipsis = "…" if self.fits("…") else "..."

    def fits(self, text: str) -> bool:
        try:
            text.encode(self.encoding)
        except UnicodeEncodeError:
            return False
        return True

    def prepare(self, text: str) -> str:
        if self.unicode or text.isascii() or self.fits(text):
            return text
        return text.encode(self.encoding, "backslashreplace").decode(self.encoding)


class Table:
    def __init__(
        self,
        headers: Sequence[str],
        cuttable: Sequence[bool],
        flexible: Sequence[bool],
        fit: Fitter,
    ) -> None:
        self.headers = list(headers)
        self.cuttable = list(cuttable)
        self.flexible = list(flexible)
        self.fit = fit
        self.widths = [width(h) for h in self.headers]

    def size(self, rows: Sequence[Sequence[str]]) -> None:
        """Column widths from these rows, narrowed to fit the terminal."""
        widths = [width(h) for h in self.headers]
        for row in rows:
            for i, v in enumerate(row):
                w = width(v)
                if w > widths[i]:
                    widths[i] = w
        limit = self.fit.width
        if limit is not None:
            excess = sum(widths) + len(GAP) * (len(widths) - 1) - limit
            flexible = [i for i, f in enumerate(self.flexible) if f]
            cuttable = [i for i, c in enumerate(self.cuttable) if c]
            # Titles and URLs give up their width first, down to a share still worth
            # reading; then every column that may be cut, the widest first (a title is
            # not squeezed to 4 cells while a domain keeps 20).
            excess = self._narrow(widths, flexible, excess, floor=FAIR_SHARE)
            excess = self._narrow(widths, cuttable, excess, floor=MIN_CUT)
        self.widths = widths

    def _narrow(self, widths: list[int], columns: list[int], excess: int, *, floor: int) -> int:
        """Take ``excess`` cells from ``columns``, the widest first, none below ``floor``
        (or its header); returns what is still to take."""
        floors = {i: max(width(self.headers[i]), floor) for i in columns}
        while excess > 0:
            room = [i for i in columns if widths[i] > floors[i]]
            if not room:
                break
            i = max(room, key=lambda j: widths[j])
            widths[i] -= 1
            excess -= 1
        return excess

    def header(self) -> str:
        return self._line(self.headers)

    def render(self, rows: Sequence[Sequence[str]]) -> str:
        return "".join(self._line(r) for r in rows)

    def _line(self, row: Sequence[str]) -> str:
        last = len(row) - 1
        parts = []
        for i, (v, w) in enumerate(zip(row, self.widths, strict=True)):
            if self.cuttable[i] and width(v) > w:
                v = cut(v, w, self.fit.ellipsis)
            parts.append(v if i == last else pad(v, w))
        line = GAP.join(parts).rstrip()
        limit = self.fit.width
        if limit is not None and width(line) > limit:
            line = cut(line, limit, self.fit.ellipsis)
        return line + "\n"
