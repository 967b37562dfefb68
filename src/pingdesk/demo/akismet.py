"""A tiny Akismet-compatible service on loopback, for the offline demo only.

It speaks the REST protocol pingdesk's Akismet client uses (verify-key,
comment-check, submit-spam, submit-ham, usage-limit) and judges by a few
keywords, so spam / not spam / check can be tried on the demo blog without
an Akismet account or a network.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from pingdesk.demo.marker import DEMO_KEY

_SPAMMY = ("casino", "replica", "pills", "loan", "seo-rank", "read more")
_THANKS = b"Thanks for making the web a better place."


def verdict(fields: dict[str, str]) -> tuple[bool, bool]:
    """(spam, discard) for a comment-check: blatant keyword spam is 'discard'."""
    text = " ".join(
        fields.get(k, "") for k in ("comment_author", "comment_author_url", "comment_content")
    ).lower()
    hits = sum(word in text for word in _SPAMMY)
    return hits > 0, hits > 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.startswith("/1.2/usage-limit"):
            usage = {"limit": "none", "usage": 0, "percentage": "0.00", "throttled": False}
            self._reply(json.dumps(usage).encode())
        else:
            self._reply(b"invalid")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        fields = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        key_ok = fields.get("api_key", fields.get("key", "")) == DEMO_KEY
        path = self.path.split("?")[0]
        if path.endswith("verify-key"):
            self._reply(b"valid" if key_ok else b"invalid")
        elif not key_ok:
            self._reply(b"invalid", {"X-akismet-debug-help": "We were unable to verify the key"})
        elif path.endswith("comment-check"):
            spam, discard = verdict(fields)
            headers = {"X-akismet-guid": "demo-guid"}
            if discard:
                headers["X-akismet-pro-tip"] = "discard"
            self._reply(b"true" if spam else b"false", headers)
        elif path.endswith(("submit-spam", "submit-ham")):
            self._reply(_THANKS)
        else:
            self._reply(b"invalid")


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) drops connections when pingdesk opens its 16 at
    # once on a busy machine: a ReadError, and `akismet check` stopped as if Akismet
    # were down (seen as a flaky test_safety under load).
    request_queue_size = 128


class DemoAkismet:
    """Runs the service in a daemon thread on 127.0.0.1 (a free port)."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> DemoAkismet:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
