"""WordPress served by `php -S` with the bed's config, and local pages to ping from.

Only 127.0.0.1 is ever used: WordPress listens there, the source pages are served there,
and the bed's mu-plugin refuses any other host.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from . import php

if TYPE_CHECKING:
    from .site import WPSite

LOCALHOST = "127.0.0.1"
PINGBACK_AGENT = "The Incutio XML-RPC PHP Library -- WordPress/6.1.9"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((LOCALHOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {LOCALHOST}:{port} after {timeout} s")


class SourcePages:
    """A tiny HTTP server on 127.0.0.1 serving pages registered with ``add``."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str]] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = pages.get(self.path, (404, "<html><title>404</title></html>"))
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((LOCALHOST, 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://{LOCALHOST}:{self.port}{path}"

    def add(self, path: str, html: str, status: int = 200) -> str:
        self.pages[path] = (status, html)
        return self.url(path)

    def __enter__(self) -> SourcePages:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class WordPressServer:
    """`php -S 127.0.0.1:PORT -t /usr/share/wordpress router.php` for one test site.

    Use ``reserve()`` first (the site's home URL must contain the port before WordPress is
    installed), then ``start(site, workdir)``.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.home = f"http://{LOCALHOST}:{port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: Path | None = None

    @classmethod
    def reserve(cls) -> WordPressServer:
        return cls(free_port())

    def start(self, site: WPSite, workdir: Path) -> None:
        config_root = workdir / "wp-root"
        config_root.mkdir(parents=True, exist_ok=True)
        for name in ("wp-settings.php", "wp-includes", "wp-admin"):
            link = config_root / name
            if not link.exists():
                link.symlink_to(php.WP_ROOT / name)
        # wp-load.php requires ABSPATH/wp-config.php: ours only boots (the router defined all).
        (config_root / "wp-config.php").write_text(
            "<?php\n// pingdesk test bed: configuration is defined by tests/wpbed/router.php.\n"
            "require_once ABSPATH . 'wp-settings.php';\n"
        )
        config = site.config() | {"config_root": str(config_root), "home": self.home}
        env = os.environ | {"PDBED_SITE": json.dumps(config), "PHP_CLI_SERVER_WORKERS": "4"}
        self.log = workdir / "php-server.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [
                    "php",
                    "-S",
                    f"{LOCALHOST}:{self.port}",
                    "-t",
                    str(php.WP_ROOT),
                    str(php.ROUTER),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Its own process group: PHP_CLI_SERVER_WORKERS forks workers that outlive
                # a terminated parent (hundreds of them left after a few test runs).
                start_new_session=True,
            )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.proc is not None:
            # The whole group: the server and its forked workers.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            # Workers may outlive the parent by a moment: make sure none is left.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc = None

    def __enter__(self) -> WordPressServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _AgentTransport(xmlrpc.client.Transport):
    user_agent = PINGBACK_AGENT


def send_pingback(home: str, source: str, target: str) -> str:
    """pingback.ping through xmlrpc.php, as a WordPress blog sends it."""
    proxy = xmlrpc.client.ServerProxy(f"{home}/xmlrpc.php", transport=_AgentTransport())
    return str(proxy.pingback.ping(source, target))


def send_trackback(tb_url: str, **fields: str) -> tuple[int, str]:
    """POST a trackback (url, title, excerpt, blog_name); returns (error, message)."""
    data = urllib.parse.urlencode(fields).encode()
    req = urllib.request.Request(
        tb_url,
        data=data,
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "User-Agent": "WordPress/6.1.9; http://127.0.0.1",
        },
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        root = ET.fromstring(resp.read())
    return int(root.findtext("error") or "-1"), root.findtext("message") or ""
