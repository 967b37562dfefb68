"""The terminal UI on a 100k-pending-ping MariaDB blog: launch, approve + advance, memory.

    python bench/bench_tui.py                        # generates pd_bench_tui first if needed
    python bench/bench_tui.py --presses 200 --size 120x40

Two parts:

1. In-process (Textual headless, a Desk already connected): launch to populated
   table — until the first screenful of real rows is drawn (goal <= 0.5 s after
   connecting) and until the full id snapshot of the view is in; approve + advance
   until the write is committed.
2. The real program in a real terminal: `python -m pingdesk --db ...` on a pty of the
   given size, keys written to it and the terminal output read back with timestamps.
   Keystroke to screen = from writing the key until the last byte of the redraw it
   causes (the burst ends when the output is quiet for 15 ms; the quiet time is not
   counted). Goal for `a` (approve + advance): p95 <= 50 ms. Also: bytes written to
   the terminal per key, and the program's resident memory (goal <= 150 MB).

Every ping approved here is put back (unapprove, which recounts comment_count too),
and the blog is flagged dirty meanwhile (see gen_blog.DIRTY_OPTION).
Only talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import select
import statistics
import struct
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_blog  # noqa: E402
from pingdesk.services.desk import Desk  # noqa: E402
from pingdesk.services.locate import resolve_target  # noqa: E402
from pingdesk.store.journal import Journal  # noqa: E402
from pingdesk.wp.connect import connect  # noqa: E402
from pingdesk.wp.pings import PingFilter  # noqa: E402

MS = 1000.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def stats(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values) * MS:.1f} ms, p95 {pct(values, 0.95) * MS:.1f} ms, "
        f"max {max(values) * MS:.1f} ms (n={len(values)})"
    )


# -- part 1: in-process ----------------------------------------------------------------


async def in_process(desk: Desk, size: tuple[int, int], presses: int) -> dict[str, Any]:
    from pingdesk.tui.app import PingdeskApp

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    app = PingdeskApp(desk, refresh_interval=None)
    async with app.run_test(size=size):
        table = app.main.table
        while True:
            await asyncio.sleep(0.001)
            if table.ids:
                top, bottom = table.visible_range()
                if all(table.row(i) is not None for i in table.ids[top:bottom]):
                    break
        out["first_screen"] = time.perf_counter() - t0
        while table.partial or app.main.header.counts is None:
            await asyncio.sleep(0.005)
        out["full_snapshot"] = time.perf_counter() - t0
        out["rows"] = len(table.ids)
        commit: list[float] = []
        approved: list[int] = []
        for _ in range(presses):
            approved.append(table.ids[table.cursor])
            s = time.perf_counter()
            # The key's action itself (pilot.press would add its own idle wait).
            app.main.action_act("approve")
            while app.runner.busy:
                await asyncio.sleep(0.0005)
            commit.append(time.perf_counter() - s)
            await asyncio.sleep(0.05)
        out["commit"] = commit
        out["approved"] = approved
        while app.runner.busy:
            await asyncio.sleep(0.01)
    return out


# -- part 2: the real program on a pty ----------------------------------------------------


class Terminal:
    """A child process on a pty; output bytes collected with their arrival times."""

    def __init__(self, argv: list[str], env: dict[str, str], cols: int, rows: int) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # child
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execvpe(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        self.chunks: list[tuple[float, bytes]] = []
        self.lock = threading.Lock()
        self.done = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                r, _, _ = select.select([self.fd], [], [], 0.5)
                if not r:
                    if self.done:
                        return
                    continue
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            now = time.perf_counter()
            with self.lock:
                self.chunks.append((now, data))

    def since(self, t: float) -> list[tuple[float, bytes]]:
        with self.lock:
            return [c for c in self.chunks if c[0] >= t]

    def text(self) -> bytes:
        with self.lock:
            return b"".join(d for _, d in self.chunks)

    def wait_quiet(self, quiet: float, timeout: float) -> None:
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            with self.lock:
                last = self.chunks[-1][0] if self.chunks else 0.0
            if time.perf_counter() - last >= quiet:
                return
            time.sleep(0.005)

    def key(self, data: bytes, quiet: float = 0.015, timeout: float = 5.0) -> tuple[float, int]:
        """Write a key; return (seconds to the last byte of its redraw, bytes drawn)."""
        t0 = time.perf_counter()
        os.write(self.fd, data)
        end = t0 + timeout
        while time.perf_counter() < end:
            got = self.since(t0)
            if got and time.perf_counter() - got[-1][0] >= quiet:
                return got[-1][0] - t0, sum(len(d) for _, d in got)
            time.sleep(0.001)
        got = self.since(t0)
        return (got[-1][0] - t0 if got else timeout), sum(len(d) for _, d in got)

    def rss_mb(self) -> float:
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def close(self) -> None:
        self.done = True
        try:
            os.write(self.fd, b"q")
            for _ in range(100):
                pid, _status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    return
                time.sleep(0.05)
            os.kill(self.pid, 15)
            os.waitpid(self.pid, 0)
        except OSError:
            pass


def real_terminal(url: str, prefix: str, cols: int, rows: int, presses: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="pd-bench-tui-"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "XDG_DATA_HOME": str(tmp / "data"),
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "XDG_CACHE_HOME": str(tmp / "cache"),
    }
    argv = [sys.executable, "-m", "pingdesk", "--db", url, "--prefix", prefix]
    t_start = time.perf_counter()
    term = Terminal(argv, env, cols, rows)
    out: dict[str, Any] = {}
    try:
        end = time.perf_counter() + 60
        while b"excerpt" not in term.text():
            if time.perf_counter() > end:
                raise SystemExit("the UI never showed a row:\n" + term.text()[-2000:].decode())
            time.sleep(0.005)
        out["start_to_rows"] = time.perf_counter() - t_start
        # Let the full id snapshot and the counts land before timing keys.
        time.sleep(6)
        term.wait_quiet(1.0, 20)
        out["rss_ready"] = term.rss_mb()
        moves, move_bytes = [], []
        for _ in range(60):
            t, n = term.key(b"j")
            moves.append(t)
            move_bytes.append(n)
            time.sleep(0.25)  # past the detail pane's 0.15 s debounce, like a reader
        term.wait_quiet(0.5, 10)
        term.key(b"g")
        term.wait_quiet(0.5, 10)
        acts, act_bytes = [], []
        for _ in range(presses):
            t, n = term.key(b"a")
            acts.append(t)
            act_bytes.append(n)
            time.sleep(0.2)  # a brisk moderator: five pings a second
        term.wait_quiet(1.0, 20)
        out.update(moves=moves, move_bytes=move_bytes, acts=acts, act_bytes=act_bytes)
        out["rss_end"] = term.rss_mb()
    finally:
        term.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="pd_bench_tui")
    ap.add_argument("--prefix", default="wp_")
    ap.add_argument("--presses", type=int, default=200)
    ap.add_argument("--size", default="120x40")
    ap.add_argument("--no-generate", action="store_true", help="fail if the blog is missing")
    args = ap.parse_args(argv)
    cols, rows = (int(x) for x in args.size.split("x"))
    if not args.no_generate:
        # 100k posts, 1M comments, ~100k pending pings; reused when already there.
        gen_blog.main(["--db", args.db, "--prefix", args.prefix, "--reuse"])
    url = f"mysql+pymysql://root@127.0.0.1:3306/{args.db}"
    t = time.perf_counter()
    blog = connect(resolve_target(db=url, prefix=args.prefix))
    journal = Journal(Path(tempfile.mkdtemp(prefix="pd-bench-tui-")) / "journal.sqlite3")
    desk = Desk(blog, journal)
    connect_s = time.perf_counter() - t
    before = set(desk.ids(PingFilter()))
    print(
        f"blog {args.db}: {len(before):,} pending pings; connect {connect_s * MS:.0f} ms; "
        f"terminal {cols}x{rows}"
    )
    gen_blog.set_dirty(args.db, args.prefix, True)
    try:
        inproc = asyncio.run(in_process(desk, (cols, rows), min(args.presses, 100)))
        real = real_terminal(url, args.prefix, cols, rows, args.presses)
    finally:
        moved = sorted(before - set(desk.ids(PingFilter())))
        if moved:
            desk.act("unapprove", dict.fromkeys(moved, "1"))
    left = set(desk.ids(PingFilter()))
    if left == before:
        gen_blog.set_dirty(args.db, args.prefix, False)
    print("\n[in-process, connected Desk, headless]")
    print(
        f"launch to first screenful of rows: {inproc['first_screen'] * MS:.0f} ms   "
        f"(goal <= 500 ms after connecting)"
    )
    print(
        f"launch to the full id snapshot ({inproc['rows']:,} ids) and counts: "
        f"{inproc['full_snapshot'] * MS:.0f} ms (in the background; the UI answers meanwhile)"
    )
    print(f"approve + advance, action to write committed in MariaDB: {stats(inproc['commit'])}")
    print(f"\n[real program on a {cols}x{rows} pty: python -m pingdesk --db ...]")
    print(
        f"process start to rows on screen (Python + Textual imports, connect, first page): "
        f"{real['start_to_rows'] * MS:.0f} ms"
    )
    print(f"approve + advance (a), key to screen: {stats(real['acts'])}   (goal p95 <= 50 ms)")
    print(f"cursor move (j), key to screen: {stats(real['moves'])}")
    print(
        f"bytes to the terminal per key: j median {statistics.median(real['move_bytes']):.0f} B"
        f" (two table lines; the detail pane follows once the cursor rests),"
        f" a median {statistics.median(real['act_bytes']):.0f} B (the rows below move up)"
    )
    print(
        f"resident memory of the program: {real['rss_ready']:.0f} MB ready with "
        f"{len(before):,} ids, {real['rss_end']:.0f} MB at the end   (goal <= 150 MB)"
    )
    print(f"\nput back: {len(moved)} approvals undone; pending now {len(left):,}")
    journal.close()
    blog.engine.dispose()
    return 0 if left == before else 1


if __name__ == "__main__":
    sys.exit(main())
