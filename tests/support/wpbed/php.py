"""Running tests/wpbed/bridge.php: one PHP process per batch of commands."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

BRIDGE = Path(__file__).with_name("bridge.php")
MU_PLUGIN = Path(__file__).with_name("mu-plugin.php")
ROUTER = Path(__file__).with_name("router.php")
WP_ROOT = Path("/usr/share/wordpress")
THEME = WP_ROOT / "wp-content" / "themes" / "twentytwentythree"


# PHP compiles WordPress's ~150 files in every process; OPcache's file cache keeps the
# compiled code between processes (a bridge call: ~0.12 s -> ~0.07 s). Set per session.
_opcache_dir: Path | None = None


def use_opcache(directory: Path) -> None:
    global _opcache_dir
    directory.mkdir(parents=True, exist_ok=True)
    _opcache_dir = directory


def argv(script: Path) -> list[str]:
    """The php command line for ``script`` (with the session's OPcache file cache)."""
    cmd = ["php"]
    if _opcache_dir is not None:
        cmd += [
            "-d",
            "opcache.enable_cli=1",
            "-d",
            f"opcache.file_cache={_opcache_dir}",
            "-d",
            "opcache.file_cache_only=1",
        ]
    return [*cmd, str(script)]


class BridgeError(AssertionError):
    """WordPress (through the bridge) failed or refused a command."""


def missing_prerequisites() -> list[str]:
    """What the bed needs from the machine and does not find."""
    missing = []
    if shutil.which("php") is None:
        missing.append("php (apt-get install php-cli php-mysql)")
    if not (WP_ROOT / "wp-settings.php").is_file():
        missing.append(f"WordPress at {WP_ROOT} (apt-get install wordpress)")
    if not THEME.is_dir():
        missing.append(f"{THEME} (apt-get install wordpress-theme-twentytwentythree)")
    if shutil.which("php") is not None:
        probe = subprocess.run(
            ["php", "-r", "echo extension_loaded('mysqli') ? 'ok' : 'no';"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.stdout.strip() != "ok":
            missing.append("the PHP mysqli extension (apt-get install php-mysql)")
    return missing


def make_content_dir(root: Path) -> Path:
    """A WP_CONTENT_DIR of our own: the stock theme, no plugins, the bed's mu-plugin."""
    content = root / "wp-content"
    for sub in ("themes", "plugins", "mu-plugins", "uploads"):
        (content / sub).mkdir(parents=True, exist_ok=True)
    (content / "themes" / THEME.name).symlink_to(THEME)
    (content / "mu-plugins" / "pingdesk-bed.php").symlink_to(MU_PLUGIN)
    return content


def request(site: dict[str, Any], commands: list[dict[str, Any]]) -> bytes:
    return json.dumps({"site": site, "commands": commands}).encode()


def parse(
    stdout: bytes, stderr: bytes, returncode: int, commands: list[dict[str, Any]]
) -> list[Any]:
    try:
        response = json.loads(stdout)
    except ValueError:
        raise BridgeError(
            f"bridge.php gave no JSON (exit {returncode}).\nstdout: {stdout[:2000]!r}\n"
            f"stderr: {stderr[-4000:].decode(errors='replace')}"
        ) from None
    if not response.get("ok"):
        at = response.get("at", -1)
        cmd = commands[at] if 0 <= at < len(commands) else None
        shown = json.dumps(cmd)[:500] if cmd is not None else "(bootstrap)"
        raise BridgeError(
            f"WordPress failed: {response.get('error')}\ncommand #{at}: {shown}\n"
            f"{response.get('output', '')}"
        )
    results: list[Any] = response["results"]
    return results


def run(site: dict[str, Any], commands: list[dict[str, Any]], timeout: float = 300) -> list[Any]:
    """Run ``commands`` in one WordPress process; one result per command."""
    proc = subprocess.run(
        argv(BRIDGE),
        input=request(site, commands),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    return parse(proc.stdout, proc.stderr, proc.returncode, commands)


class Running:
    """A bridge call running in a background thread (for concurrency tests)."""

    def __init__(self, site: dict[str, Any], commands: list[dict[str, Any]]) -> None:
        self._results: list[Any] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(site, commands), daemon=True)
        self._thread.start()

    def _run(self, site: dict[str, Any], commands: list[dict[str, Any]]) -> None:
        try:
            self._results = run(site, commands)
        except BaseException as exc:  # handed to result()
            self._error = exc

    def result(self, timeout: float = 120) -> list[Any]:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise BridgeError(f"bridge call still running after {timeout} s")
        if self._error is not None:
            raise self._error
        assert self._results is not None
        return self._results
