"""A fake Akismet service on 127.0.0.1: a real HTTP server in a thread, speaking the REST API.

It answers as rest.akismet.com does (https://akismet.com/developers/):

* POST /1.1/verify-key (key, blog) -> ``valid`` / ``invalid``
* POST /1.1/comment-check -> ``true`` / ``false``; blatant spam adds
  ``X-akismet-pro-tip: discard``; every answer has an ``X-akismet-guid``;
  a missing required field gives the documented error body plus
  ``X-akismet-debug-help``; a bad key gives ``invalid``.
* POST /1.1/submit-spam, /1.1/submit-ham -> ``Thanks for making the web a better place.``
* GET /1.2/usage-limit?api_key= -> JSON {limit, usage, percentage, throttled}

Failure modes for the tests (``server.mode``, or per endpoint ``server.modes``):
``ok``, ``error-body`` (200 with an error text), ``500``, ``429`` (with
Retry-After), ``hang`` (never answers until the server stops or
``release()``), ``invalid`` (the body "invalid", as for a revoked key).
``delay`` makes every answer wait (the benchmark's 100 ms). Every request is
recorded in ``requests``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

THANKS = "Thanks for making the web a better place."
SPAM_WORDS = ("viagra", "casino", "spam-please")
DISCARD_WORDS = ("blatant-spam",)


@dataclass
class Recorded:
    method: str
    path: str
    endpoint: str
    params: dict[str, str]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class FakeAkismet:
    def __init__(
        self,
        *,
        valid_keys: tuple[str, ...] = ("a1b2c3d4e5f6",),
        delay: float = 0.0,
    ) -> None:
        self.valid_keys = set(valid_keys)
        self.delay = delay
        self.mode = "ok"
        self.modes: dict[str, str] = {}  # endpoint -> mode, overrides ``mode``
        self.retry_after = "2"
        self.alert: tuple[str, str] | None = None  # (X-akismet-alert-code, -msg)
        self.usage = {"limit": 1000, "usage": 12, "percentage": "1.2", "throttled": False}
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.active = 0
        self.max_active = 0
        self.port_wanted = 0  # 0: any free port

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeAkismet:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without TCP_NODELAY, Nagle plus the
            # client's delayed ACK would add ~40 ms to every keep-alive answer.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        class Server(ThreadingHTTPServer):
            # The default listen backlog (5) drops connects when a client opens 16+ at once.
            request_queue_size = 256

        self._server = Server(("127.0.0.1", self.port_wanted), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def release(self) -> None:
        """Let hanging requests finish."""
        self._release.set()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FakeAkismet:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- inspection --------------------------------------------------------------------

    def calls(self, endpoint: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.endpoint == endpoint]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
        self.mode = "ok"
        self.modes.clear()
        self.alert = None
        self._release.clear()

    # --- protocol ----------------------------------------------------------------------

    def verdict_for(self, params: dict[str, str]) -> str:
        """'spam', 'discard' or 'ham' from the content, like a very small Akismet."""
        text = " ".join(
            params.get(k, "") for k in ("comment_content", "comment_author", "comment_author_url")
        ).lower()
        if any(w in text for w in DISCARD_WORDS):
            return "discard"
        if any(w in text for w in SPAM_WORDS):
            return "spam"
        return "ham"

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        split = urlsplit(h.path)
        params = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        if method == "POST":
            length = int(h.headers.get("Content-Length") or 0)
            body = h.rfile.read(length).decode("utf-8")
            params.update({k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()})
        endpoint = split.path.rsplit("/", 1)[-1]
        rec = Recorded(method, split.path, endpoint, params, dict(h.headers.items()))
        with self._lock:
            self.requests.append(rec)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            self._answer(h, endpoint, params)
        finally:
            with self._lock:
                self.active -= 1

    def _answer(self, h: BaseHTTPRequestHandler, endpoint: str, params: dict[str, str]) -> None:
        mode = self.modes.get(endpoint, self.mode)
        if self.delay:
            time.sleep(self.delay)
        if mode == "hang":
            self._release.wait(timeout=30)
            return self._send(h, 503, "released")
        if mode == "500":
            return self._send(h, 500, "Internal Server Error")
        if mode == "429":
            return self._send(h, 429, "Too Many Requests", {"Retry-After": self.retry_after})
        if mode == "error-body":
            return self._send(
                h, 200, "Internal error", {"X-akismet-debug-help": "Something went wrong."}
            )
        if mode == "invalid":
            return self._send(h, 200, "invalid")

        key = params.get("api_key") or params.get("key") or ""
        headers: dict[str, str] = {}
        if self.alert is not None:
            headers["X-akismet-alert-code"], headers["X-akismet-alert-msg"] = self.alert

        if endpoint == "verify-key":
            if not params.get("blog"):
                return self._send(
                    h, 200, "Missing required field: blog.", {"X-akismet-debug-help": "blog"}
                )
            ok = key in self.valid_keys
            return self._send(h, 200, "valid" if ok else "invalid", headers)
        if endpoint == "usage-limit":
            if key not in self.valid_keys:
                return self._send(h, 200, "invalid")
            return self._send(h, 200, json.dumps(self.usage), {"Content-Type": "application/json"})
        if endpoint not in ("comment-check", "submit-spam", "submit-ham"):
            return self._send(h, 404, "Not found")
        if key not in self.valid_keys:
            return self._send(h, 200, "invalid", headers)
        for required in ("blog", "user_ip"):
            if not params.get(required):
                return self._send(
                    h,
                    200,
                    f"Missing required field: {required}.",
                    {"X-akismet-debug-help": "Empty required field"},
                )
        if endpoint == "comment-check":
            verdict = self.verdict_for(params)
            headers["X-akismet-guid"] = uuid.uuid4().hex
            if verdict == "discard":
                headers["X-akismet-pro-tip"] = "discard"
            return self._send(h, 200, "false" if verdict == "ham" else "true", headers)
        return self._send(h, 200, THANKS, headers)

    def _send(
        self,
        h: BaseHTTPRequestHandler,
        status: int,
        body: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8")
        try:
            h.send_response(status)
            headers = dict(headers or {})
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
            for name, value in headers.items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)


def main() -> None:
    """Run the fake by hand, e.g. for the demo blog:

    python tests/akismet_fake.py --port 8765 --key demo12345678
    PINGDESK_AKISMET_ENDPOINT=http://127.0.0.1:8765 pingdesk demo
    """
    import argparse

    ap = argparse.ArgumentParser(description="fake Akismet REST service on 127.0.0.1")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--key", action="append", default=[], help="a valid key (repeatable)")
    ap.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    ap.add_argument("--mode", default="ok", help="ok, error-body, 500, 429, hang, invalid")
    args = ap.parse_args()
    fake = FakeAkismet(valid_keys=tuple(args.key or ["a1b2c3d4e5f6"]), delay=args.delay)
    fake.mode = args.mode
    fake.port_wanted = args.port
    fake.start()
    print(f"fake Akismet on {fake.url} (keys: {', '.join(sorted(fake.valid_keys))})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
