"""Read-only commands load only what they use: no terminal UI, no HTTP stack.

Scripts and cron jobs call pingdesk many times, and every call pays Python's imports;
the layers (docs/architecture.md) keep Textual in the TUI and httpx / akismet in the
network layer, and the CLI's handlers import services only when they run. This test
runs each command in a fresh interpreter and looks at what it imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pingdesk.demo import blog as demo

HEAVY = ("textual", "rich", "httpx", "httpcore", "akismet", "selectolax")

PROBE = """
import json, sys
from pingdesk.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted({m.split('.')[0] for m in sys.modules}),
                  "ours": sorted(m for m in sys.modules if m.startswith("pingdesk."))}))
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{demo.build(tmp_path_factory.mktemp('hygiene') / 'blog.sqlite')}"


def probe(tmp_path: Path, *argv: str) -> dict[str, Any]:
    """Run pingdesk with ``argv`` in a fresh interpreter: its exit code, the top-level
    packages it imported ("modules") and its own modules ("ours")."""
    env = {
        "PATH": "/usr/bin:/bin",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHONPATH": ":".join(p for p in sys.path if p),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def loaded(tmp_path: Path, *argv: str) -> tuple[int, set[str]]:
    data = probe(tmp_path, *argv)
    return int(data["code"]), set(data["modules"])


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "--limit", "5"],
        ["list", "--json"],
        ["list", "--format", "jsonl", "--fields", "id,domain"],
        ["list", "--format", "csv"],
        ["show", "{first}"],
        ["counts", "--json"],
        ["history"],
        ["settings"],
        ["sites"],
        ["index"],
    ],
)
def test_read_only_commands_load_no_ui_and_no_http(
    tmp_path: Path, db: str, argv: list[str]
) -> None:
    if "{first}" in argv:
        code, _ = loaded(tmp_path, "--db", db, "list", "--limit", "1")
        assert code == 0
        from pingdesk.services.locate import resolve_target
        from pingdesk.wp.connect import connect
        from pingdesk.wp.pings import PingFilter, list_pings

        blog = connect(resolve_target(db=db, env={}))
        first = list_pings(blog, PingFilter(), limit=1).pings[0].id
        blog.engine.dispose()
        argv = [a.replace("{first}", str(first)) for a in argv]
    code, modules = loaded(tmp_path, "--db", db, *argv)
    assert code == 0
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_help_loads_no_database_network_or_ui_library(tmp_path: Path) -> None:
    probe = PROBE.replace("main(sys.argv[1:])", "len(build_parser().format_help()) and 0")
    probe = probe.replace("import main", "import build_parser")
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    modules = set(json.loads(done.stdout.strip().splitlines()[-1])["modules"])
    # asyncio alone costs 60-100 ms; sqlalchemy loads it anyway, --help need not.
    assert not modules & {*HEAVY, "sqlalchemy", "pymysql", "platformdirs", "asyncio"}, modules
    # And `pingdesk --help` itself (argparse exits 0 after printing).
    code = subprocess.run(
        [sys.executable, "-m", "pingdesk", "--help"], capture_output=True, timeout=60
    ).returncode
    assert code == 0


@pytest.mark.parametrize("argv", [["list", "--limit", "5"], ["counts"], ["history"]])
def test_reading_loads_no_writing_engine(tmp_path: Path, db: str, argv: list[str]) -> None:
    """Moderation, undo, settings and posts load when a command writes: a script reading
    the queue pays for none of them."""
    data = probe(tmp_path, "--db", db, *argv)
    assert data["code"] == 0
    writing = {
        "pingdesk.wp.moderation",
        "pingdesk.wp.undo",
        "pingdesk.wp.discussion",
        "pingdesk.wp.posts",
        "pingdesk.wp.post_overview",
        "pingdesk.wp.akismet_payload",
    }
    assert not writing & set(data["ours"]), sorted(writing & set(data["ours"]))
