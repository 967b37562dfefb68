"""JSON documents, plain tables and progress lines for the CLI. All text passes through
textsafe (clean / one_line); records go through cli.formats."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from pingdesk.textsafe import one_line


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
    """Print an aligned table in terminal cells; column ``flex`` gives up its width first
    when the rows are wider than the terminal (see cli.cells). For records, use
    cli.formats, which also gives every other format."""
    from pingdesk.cli import cells

    out = out or sys.stdout
    fit = cells.Fitter(out)
    n = len(headers)
    t = cells.Table(headers, [True] * n, [i == flex for i in range(n)], fit)
    texts = [[fit.prepare(one_line(v)) for v in r] for r in rows]
    t.size(texts)
    out.write(t.header())
    out.write(t.render(texts))


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
