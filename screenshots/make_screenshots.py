"""Regenerate the README screenshots (SVG and PNG) from the demo blog.

    python screenshots/make_screenshots.py [--size 100x30] [--out screenshots] [--only domains]

The demo blog is built afresh in a temporary folder with a fixed 'now', so the
pictures only change when the UI or the demo data change. SVGs come from
Textual's save_screenshot; PNGs from rsvg-convert (Debian: librsvg2-bin),
after adding xml:space="preserve" so runs of spaces survive.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

NOW = datetime(2026, 11, 25, 12, 0, 0)

# name -> keys pressed from the freshly opened queue
SHOTS: dict[str, Sequence[str]] = {
    "queue": (),
    "detail": ("j", "enter"),
    "filter": ("slash", *"domain:casino-bonus-hub.example", "enter"),
    "marked": ("m", "s"),
    "close_pings": ("c",),
    "help": ("question_mark",),
    "domains": ("o",),
}


async def _settle(app: object, pilot: object) -> None:
    from textual.widgets import Input
    from textual.worker import WorkerCancelled

    for _ in range(8):
        with contextlib.suppress(WorkerCancelled):  # a superseded exclusive worker
            await app.workers.wait_for_complete()  # type: ignore[attr-defined]
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    for inp in app.screen.query(Input):  # type: ignore[attr-defined]
        inp.cursor_blink = False
    await pilot.pause(0.05)  # type: ignore[attr-defined]


async def _shoot(
    db: Path, journal: Path, out: Path, size: tuple[int, int], only: set[str]
) -> list[Path]:
    from pingdesk.config import load_config
    from pingdesk.services.desk import Desk
    from pingdesk.store.journal import Journal
    from pingdesk.tui.app import PingdeskApp, default_columns
    from pingdesk.wp.connect import connect, target_from_db

    made = []
    for name, keys in SHOTS.items():
        if only and name not in only:
            continue
        blog = connect(target_from_db(f"sqlite:///{db}", db.parent, "screenshots"))
        desk = Desk(blog, Journal(journal), moderator="admin")
        columns = default_columns(load_config())
        app = PingdeskApp(desk, columns=columns, now=NOW, refresh_interval=None)
        async with app.run_test(size=size) as pilot:
            await _settle(app, pilot)
            for key in keys:
                await pilot.press(key)
                await _settle(app, pilot)
            path = out / f"{name}.svg"
            app.save_screenshot(filename=path.name, path=str(out))
            made.append(path)
        desk.journal.close()
        blog.engine.dispose()
    return made


def _png(svg: Path) -> Path | None:
    if shutil.which("rsvg-convert") is None:
        print("rsvg-convert not found (apt-get install librsvg2-bin): SVG only", file=sys.stderr)
        return None
    text = svg.read_text(encoding="utf-8")
    if 'xml:space="preserve"' not in text:
        text = text.replace("<svg ", '<svg xml:space="preserve" ', 1)
        svg.write_text(text, encoding="utf-8")
    png = svg.with_suffix(".png")
    subprocess.run(["rsvg-convert", str(svg), "-o", str(png)], check=True)
    return png


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="100x30", help="COLSxROWS (default 100x30)")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent))
    ap.add_argument("--only", default="", help="comma-separated shot names (default: all)")
    args = ap.parse_args(argv)
    cols, rows = (int(x) for x in args.size.lower().split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pingdesk-shots-") as tmp:
        # Keep the user's own journal and config out of it.
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            os.environ[var] = str(Path(tmp) / var.lower())
        from pingdesk.demo import blog as demo

        db = demo.build(Path(tmp) / "demo.sqlite", now=NOW.replace(tzinfo=None))
        only = {n.strip() for n in args.only.split(",") if n.strip()}
        unknown = only - set(SHOTS)
        if unknown:
            ap.error(f"unknown shot {', '.join(sorted(unknown))}; known: {', '.join(SHOTS)}")
        journal = Path(tmp) / "journal.sqlite3"
        svgs = asyncio.run(_shoot(db, journal, out, (cols, rows), only))
    for svg in svgs:
        png = _png(svg)
        print(svg, png or "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
