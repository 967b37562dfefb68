"""Whole-process time of pingdesk commands, as a script calling pingdesk pays it.

    python bench/bench_startup.py                      # on a demo blog (SQLite, built in a tmp dir)
    python bench/bench_startup.py --db mysql://root@127.0.0.1/pd_bench --runs 15
    python bench/bench_startup.py --importtime 12      # also the 12 costliest imports per command

Each command runs ``--runs`` times as a fresh process (stdout to /dev/null); the figure is
the median wall time. Beside them, in the same run, the floors: a bare interpreter, and
``import sqlalchemy`` (every command that reads the database pays it). The target of
issue 10: ``list --limit 20`` and ``counts`` within 0.1 s of the sqlalchemy floor.

``--importtime N`` runs each command once more under ``python -X importtime`` and prints
the N top-level imports of pingdesk's own making (``pingdesk.*`` and what they pull in)
with the most cumulative time: where to look when a command gets slower.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(argv: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()[-500:]}")
    return statistics.median(times)


def import_top(argv: list[str], env: dict[str, str], n: int) -> list[tuple[int, str]]:
    """The imports made directly by pingdesk's modules (or the -c line), by cumulative µs."""
    done = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    rows: list[tuple[int, int, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self_us, cum_us, name = line.split(":", 1)[1].split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        rows.append((depth, int(cum_us), name.strip()))
    # Top-level entries and the first level below a pingdesk module: what our code asked for.
    out: list[tuple[int, str]] = []
    parents: dict[int, str] = {}
    for depth, cum, name in reversed(rows):  # importtime prints children before parents
        parents[depth] = name
        parent = parents.get(depth - 1, "")
        ours = depth == 0 or parent.startswith("pingdesk")
        if ours and not name.startswith("pingdesk"):
            out.append((cum, name if depth == 0 else f"{name}  (from {parent})"))
    return sorted(out, reverse=True)[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", help="blog to read (default: a demo blog built in a temp dir)")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--importtime", type=int, default=0, metavar="N")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="pd-startup-"))
    env = dict(os.environ)
    env.update(XDG_DATA_HOME=str(tmp / "data"), XDG_CONFIG_HOME=str(tmp / "config"))
    for var in ("PINGDESK_DB", "PINGDESK_WP_CONFIG", "PINGDESK_PROFILE"):
        env.pop(var, None)
    # An installed pingdesk has its .pyc files (pip compiles them); without them every
    # run would recompile ~50 modules, ~0.1 s that no user pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    db = args.db
    if db is None:
        from pingdesk.demo import blog as demo

        db = f"sqlite:///{demo.build(tmp / 'demo.sqlite')}"

    py = sys.executable
    floors = {
        "python -c pass": [py, "-c", "pass"],
        "import sqlalchemy": [py, "-c", "import sqlalchemy"],
    }
    commands = {
        "pingdesk --help": [py, "-m", "pingdesk", "--help"],
        "pingdesk --version": [py, "-m", "pingdesk", "--version"],
        "pingdesk help list": [py, "-m", "pingdesk", "help", "list"],
        "pingdesk completion bash": [py, "-m", "pingdesk", "completion", "bash"],
        "pingdesk counts": [py, "-m", "pingdesk", "--db", db, "counts"],
        "pingdesk list --limit 20": [py, "-m", "pingdesk", "--db", db, "list", "--limit", "20"],
        "pingdesk list --limit 20 --json": [
            *[py, "-m", "pingdesk", "--db", db],
            *["list", "--limit", "20", "--json"],
        ],
        "pingdesk history": [py, "-m", "pingdesk", "--db", db, "history"],
    }
    # Warm the OS caches and any .pyc files once, so the first run is not the odd one out.
    for argv in [*floors.values(), *commands.values()]:
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    print(f"median of {args.runs} runs, whole process, {db.split('://')[0]} blog")
    results = {name: timed(argv, env, args.runs) for name, argv in floors.items()}
    results |= {name: timed(argv, env, args.runs) for name, argv in commands.items()}
    floor = results["import sqlalchemy"]
    for name, secs in results.items():
        over = "" if name in floors else f"   {secs - floor:+.3f} s vs the sqlalchemy floor"
        print(f"  {name:<34} {secs:6.3f} s{over}")
    if args.importtime:
        for name, argv in commands.items():
            print(f"\n{name}: costliest imports (cumulative ms)")
            for us, mod in import_top(argv, env, args.importtime):
                print(f"  {us / 1000:7.1f}  {mod}")


if __name__ == "__main__":
    main()
