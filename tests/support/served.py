"""`pingdesk serve` as a real process, and a real browser (Debian's chromium, driven by
Playwright) reading what xterm.js shows.

The server runs in a process group of its own; each browser tab's pingdesk is its
child in that group, so stopping the group stops them all, and an empty group at the
end shows that SIGTERM alone ended every tab.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"

# Settings of the user running the tests that would steer pingdesk to another blog.
_STEERING = ("PINGDESK_DB", "PINGDESK_WP_CONFIG", "PINGDESK_PROFILE", "PINGDESK_PREFIX")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def user_env(home: Path) -> dict[str, str]:
    """A user of the test's own: config, data (the journal, the demo blog) in ``home``."""
    env = {k: v for k, v in os.environ.items() if k not in _STEERING}
    env |= {
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "PINGDESK_DEBUG": "",
    }
    return env


@dataclass
class Served:
    proc: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = 20.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output())
            if found:
                return found
            if self.proc.poll() is not None:
                time.sleep(0.2)  # the reader thread takes the last lines
                break
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} never printed; pingdesk serve said:\n{self.output()}")


@contextmanager
def serving(home: Path, *argv: str, port: int | None = None) -> Iterator[Served]:
    """``pingdesk *argv --port N`` (argv includes `serve`) until the block ends; then
    SIGTERM to its process group, which must leave no process behind."""
    port = port or free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pingdesk", *argv, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=user_env(home),
        cwd=home,
        start_new_session=True,
    )
    served = Served(proc, port)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            served.lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        served.wait_for(r"Open http://\S+")
        yield served
    finally:
        _stop_group(proc)
        reader.join(timeout=5)


def group_members(pgid: int) -> list[str]:
    """The command lines of the processes in group ``pgid`` (zombies left out)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ')'.
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            found.append(cmdline.replace(b"\0", b" ").decode(errors="replace").strip())
    return found


def _stop_group(proc: subprocess.Popen[str]) -> None:
    """SIGTERM the group and wait for all of it (tabs included); SIGKILL what is left
    after 10 s, and then fail: the server must end its tabs itself."""
    pgid = proc.pid
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        proc.poll()
        if not _group_alive(pgid):
            return
        time.sleep(0.05)
    os.killpg(pgid, signal.SIGKILL)
    proc.wait(timeout=10)
    raise AssertionError("pingdesk serve left processes running 10 s after SIGTERM")


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # A zombie leader (not yet reaped) still counts; poll() above reaps ours.
    return True


# textual.js keeps its xterm.js Terminal in a closure; the tests' copy of the script
# also hands it to the page, so the screen can be read from xterm's own buffer (what
# the canvas shows) rather than guessed from pixels.
_XTERM_OPEN = "this.terminal.open(e)"
_HOOK = "window.__pingdeskTerminal=this.terminal," + _XTERM_OPEN

SCREEN_JS = """() => {
  const t = window.__pingdeskTerminal;
  if (!t) return null;
  const b = t.buffer.active, rows = [];
  for (let i = 0; i < t.rows; i++) {
    const line = b.getLine(b.viewportY + i);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""


class Tab:
    """One browser page on the server: its screen text and its keyboard."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def screen(self) -> str:
        text = self.page.evaluate(SCREEN_JS)
        return text or ""

    def wait_for(self, pattern: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if re.search(pattern, screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{pattern!r} never appeared; the page showed:\n{screen}")

    def press(self, key: str) -> None:
        self.page.locator(".xterm-helper-textarea").focus()
        self.page.keyboard.press(key)


def open_tab(browser: Any, url: str, origin: str) -> Tab:
    """A new page at ``url``; requests anywhere but ``origin`` are refused (the page
    asks a font site for Roboto Mono; the tests reach no network)."""
    page = browser.new_page(viewport={"width": 1400, "height": 800})

    def route(r: Any) -> None:
        url = r.request.url
        if not url.startswith(origin + "/"):
            r.abort()
        elif url.split("?")[0].endswith("/static/js/textual.js"):
            response = r.fetch()
            body = response.text()
            assert body.count(_XTERM_OPEN) == 1, "textual-serve's textual.js changed"
            r.fulfill(response=response, body=body.replace(_XTERM_OPEN, _HOOK))
        else:
            r.continue_()

    page.route("**/*", route)
    page.goto(url)
    return Tab(page)
