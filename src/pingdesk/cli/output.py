"""Plain-text tables and JSON for the CLI. All text passes through textsafe.clean."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from pingdesk.textsafe import clean


def emit_json(data: Any, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    # ensure_ascii keeps control characters and bidi overrides escaped in the JSON text.
    json.dump(data, out, indent=2, ensure_ascii=True, default=str)
    out.write("\n")


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    out: TextIO | None = None,
    flex: int | None = None,
) -> None:
    """Print an aligned table; column ``flex`` shrinks to fit the terminal."""
    out = out or sys.stdout
    cells = [[clean(v) for v in r] for r in rows]
    widths = [len(h) for h in headers]
    for r in cells:
        for i, v in enumerate(r):
            widths[i] = max(widths[i], len(v))
    if flex is not None:
        total = shutil.get_terminal_size((120, 24)).columns
        used = sum(widths) + 2 * (len(widths) - 1) - widths[flex]
        widths[flex] = max(len(headers[flex]), min(widths[flex], total - used))
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out.write(line.rstrip() + "\n")
    for r in cells:
        parts = []
        for v, w in zip(r, widths, strict=True):
            parts.append((v[: w - 1] + "…" if len(v) > w else v).ljust(w))
        out.write("  ".join(parts).rstrip() + "\n")


class Progress:
    """A one-line progress report on stderr, only when stderr is a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        pct = int(done * 100 / total)
        if pct == self._last and done != total:
            return
        self._last = pct
        bar = "#" * (pct // 4)
        self.stream.write(f"\r{self.label} [{bar:<25}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
