"""A loopback HTTP server with source pages for the demo's pings (and for tests).

``pingdesk demo`` serves, on 127.0.0.1 and a free port, pages that cover every
verification result: some link to their post, some only mention it, some never
link, some are gone (404/410), some redirect, one is slow, one stalls, one is
not HTML. The demo's verify settings allowlist exactly ``127.0.0.1:<port>``.

Wiring. The demo blog is a file that outlives one run while the server's port
changes, so demo pings name a fixed, port-less host, DEMO_SOURCE_BASE, and the
demo's verify settings connect that host to the server (``connect_map``), with
an allowlist of exactly ``127.0.0.1:<port>``:

    # when generating the demo blog
    plan = demo_source_plan(k)                    # [(path, kind), ...]
    ping i gets source URL demo_source_url(path, kind)   # kind 'refused' -> metadata URL

    # when `pingdesk demo` starts
    server, settings = start_demo_sources_for(desk.blog)  # routes from the blog's pings
    ... VerifyService(settings) for the TUI ...
    server.stop()

Tests and the benchmark use ``start_demo_sources(routes)`` with their own routes.

Page text is fixed; only the target URL varies, and it is HTML-escaped.
"""

from __future__ import annotations

import gzip
import html
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from pingdesk.config import Config
from pingdesk.services.verify import VerifySettings
from pingdesk.wp.blog import Blog
from pingdesk.wp.permalinks import permalinks
from pingdesk.wp.pings import PingFilter, iter_pings

# Kinds of demo source, in the order demo_source_plan() hands them out.
DEMO_KINDS: tuple[str, ...] = (
    "linked",
    "no-link",
    "linked-relative",
    "gone-404",
    "mentioned",
    "redirect",
    "gone-410",
    "linked",
    "not-html",
    "server-error",
    "no-link",
    "slow",
    "refused",
    "stalled",
)
# Kinds that appear once at most: they cost wall time or are special.
_ONCE = {"slow", "stalled", "refused", "not-html", "server-error"}
SLOW_SECONDS = 2.5
STALL_SECONDS = 30.0  # longer than the fetch deadline: shows 'unreachable'
_REFUSED_URL = "http://169.254.169.254/latest/meta-data/"
# A name that never resolves anywhere (.test is reserved): only the demo maps it.
DEMO_SOURCE_HOST = "sources.pingdesk-demo.test"
DEMO_SOURCE_BASE = f"http://{DEMO_SOURCE_HOST}"


@dataclass
class Route:
    """One canned response."""

    status: int = 200
    body: bytes | str = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    drip: float = 0.0  # seconds between body chunks (slow drip)
    drip_chunk: int = 16
    location: str | None = None
    gzip: bool = False  # gzip the body and say so
    raw_encoding: str | None = None  # Content-Encoding to claim for an already-encoded body
    send_length: bool = True

    def payload(self) -> bytes:
        data = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        return gzip.compress(data, 6) if self.gzip else data


class SourceServer(ThreadingHTTPServer):
    """Threaded HTTP/1.1 server on 127.0.0.1 answering from a route table."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512  # the benchmark opens many connections at once

    def __init__(self, routes: Mapping[str, Route] | None = None, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.hits: Counter[str] = Counter()
        # For tests: request headers seen, and peak concurrency overall and per Host.
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.inflight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closing = threading.Event()
        super().__init__((host, 0), _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up early (caps, deadlines) are expected; stay quiet.
        pass

    def set_routes(self, routes: Mapping[str, Route]) -> None:
        with self._lock:
            self.routes.update(routes)

    def enter(self, host: str) -> None:
        with self._lock:
            for key in (host, "*"):
                self.inflight[key] += 1
                self.peak[key] = max(self.peak[key], self.inflight[key])

    def leave(self, host: str) -> None:
        with self._lock:
            for key in (host, "*"):
                self.inflight[key] -= 1

    def route_for(self, target: str, headers: dict[str, str] | None = None) -> Route | None:
        with self._lock:
            self.hits[target] += 1
            self.requests.append((target, headers or {}))
            if target in self.routes:
                return self.routes[target]
            return self.routes.get(urlsplit(target).path)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.serve_forever, args=(0.05,), name="demo-sources", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._closing.set()
        self.shutdown()
        self.server_close()

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the server is closing; False if it is."""
        return not self._closing.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SourceServer

    def log_message(self, format: str, *args: object) -> None:
        pass  # the demo and the tests want a quiet terminal

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        self.server.enter(host)
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True  # the client gave up first: that is the point
        finally:
            self.server.leave(host)

    def _answer(self) -> None:
        route = self.server.route_for(self.path, {k.lower(): v for k, v in self.headers.items()})
        if route is None:
            route = Route(status=404, body="<html><title>Not found</title><p>Not found</p></html>")
        if route.delay and not self.server.sleep(route.delay):
            self.close_connection = True
            return
        data = route.payload()
        self.send_response(route.status)
        if route.content_type:
            self.send_header("Content-Type", route.content_type)
        if route.location:
            self.send_header("Location", route.location)
        if route.gzip:
            self.send_header("Content-Encoding", "gzip")
        elif route.raw_encoding:
            self.send_header("Content-Encoding", route.raw_encoding)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.send_length:
            self.send_header("Content-Length", str(len(data)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not route.drip:
            self.wfile.write(data)
            return
        for i in range(0, len(data), route.drip_chunk):
            self.wfile.write(data[i : i + route.drip_chunk])
            self.wfile.flush()
            if not self.server.sleep(route.drip):
                return


def start_demo_sources(
    routes: Mapping[str, Route] | None = None,
) -> tuple[SourceServer, str]:
    """Start the server in a daemon thread; returns it and its base URL (no trailing /)."""
    server = SourceServer(routes)
    server.start()
    return server, server.base_url


def demo_source_path(kind: str, n: int) -> str:
    return f"/src/{kind}/{n}"


def demo_source_url(path: str, kind: str | None = None) -> str:
    """The source URL a demo ping gets for a plan entry."""
    if kind == "refused":
        return _REFUSED_URL
    return DEMO_SOURCE_BASE + path


def demo_refused_url() -> str:
    """A source the allowlist never covers (cloud metadata): shows 'refused'."""
    return _REFUSED_URL


def demo_source_plan(count: int) -> list[tuple[str, str]]:
    """``count`` (path, kind) pairs cycling through DEMO_KINDS; special kinds once.

    For kind 'refused' the path is unused: give that ping demo_refused_url().
    """
    out: list[tuple[str, str]] = []
    used: set[str] = set()
    i = 0
    while len(out) < count:
        kind = DEMO_KINDS[i % len(DEMO_KINDS)]
        i += 1
        if kind in _ONCE and kind in used:
            if i > len(DEMO_KINDS) * 2 and all(k in _ONCE for k in DEMO_KINDS):
                break  # pragma: no cover - only if every kind were special
            continue
        used.add(kind)
        out.append((demo_source_path(kind, len(out) + 1), kind))
    return out


def _page(title: str, paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head>\n<body><article>\n{body}\n</article></body></html>"
    )


_FILLER = (
    "Some notes from a weekend spent reading old blog posts about terminal tools, "
    "keyboard shortcuts and the quiet joy of moderating comments without a mouse."
)


def demo_pages(sources: Mapping[str, str]) -> dict[str, Route]:
    """Routes for each demo source path -> the permalink its ping targets."""
    routes: dict[str, Route] = {}
    for path, target in sources.items():
        kind = path.strip("/").split("/")[1] if path.startswith("/src/") else "linked"
        n = path.rstrip("/").rsplit("/", 1)[-1]
        href = html.escape(target, quote=True)
        text = html.escape(target)
        title = f"Demo source {n} ({kind})"
        linking = _page(
            title,
            [
                _FILLER,
                f'I wrote about this before; <a href="{href}">the original post</a> '
                "explains the keyboard layout far better than I could.",
                "Thanks for reading.",
            ],
        )
        if kind == "linked":
            routes[path] = Route(body=linking)
        elif kind == "linked-relative":
            parts = urlsplit(target)
            base = f"{parts.scheme}://{parts.netloc}/"
            # A link relative to <base href>, as some static-site generators write them.
            rel = (parts.path or "/").lstrip("/") + (f"?{parts.query}" if parts.query else "")
            page = _page(
                title, [_FILLER, f'A relative link: <a href="{html.escape(rel)}">here</a>.']
            )
            base_tag = f'<head><base href="{html.escape(base, quote=True)}">'
            routes[path] = Route(body=page.replace("<head>", base_tag, 1))
        elif kind == "mentioned":
            routes[path] = Route(
                body=_page(title, [_FILLER, f"Someone pointed me at {text} but I never linked it."])
            )
        elif kind == "no-link":
            routes[path] = Route(body=_page(title, [_FILLER, "Nothing to see here, no links."]))
        elif kind == "gone-404":
            routes[path] = Route(status=404, body=_page("Not found", ["This page is gone."]))
        elif kind == "gone-410":
            routes[path] = Route(status=410, body=_page("Gone", ["Deleted by its author."]))
        elif kind == "redirect":
            final = path + "/moved"
            routes[path] = Route(status=301, location=final, body="")
            routes[final] = Route(body=linking)
        elif kind == "slow":
            routes[path] = Route(body=linking, delay=SLOW_SECONDS)
        elif kind == "stalled":
            routes[path] = Route(body=linking, delay=STALL_SECONDS)
        elif kind == "not-html":
            routes[path] = Route(
                body=f"%PDF-1.4 pretend pdf mentioning {target}\n",
                content_type="application/pdf",
            )
        elif kind == "server-error":
            routes[path] = Route(status=503, body=_page("Busy", ["Try again later."]))
        else:
            routes[path] = Route(body=linking)
    return routes


async def _offline_resolver(host: str, port: int) -> list[str]:
    # The demo works offline: no other name is looked up for real.
    raise OSError(f"the demo is offline; {host} is not resolved")


def demo_verify_settings(
    server: SourceServer, config: Config | None = None, home: str | None = None
) -> VerifySettings:
    """Verify settings for the demo: the source host maps to this server, nothing else resolves."""
    settings = VerifySettings.from_config(
        config, home=home, extra_allow=[f"127.0.0.1:{server.port}"]
    )
    settings.resolver = _offline_resolver
    settings.connect_map = {(DEMO_SOURCE_HOST, 80): ("127.0.0.1", server.port)}
    return settings


def _is_demo_host(host: str) -> bool:
    # Reserved names (RFC 2606 / 6761): they never resolve anywhere, only the demo maps them.
    return host == DEMO_SOURCE_HOST or host.endswith((".example", ".test"))


def demo_routes_for_blog(blog: Blog) -> tuple[dict[str, Route], set[str]]:
    """Pages for every demo ping whose source is on a demo host, linking to its post.

    Paths under /src/<kind>/ get that kind's page; any other path (self-pings from
    the demo blog's own posts, say) a page that links. Returns the routes and the hosts.
    """
    wanted: dict[str, int] = {}
    hosts: set[str] = set()
    for ping in iter_pings(blog, PingFilter(status="all", kind="all")):
        parts = urlsplit(ping.source_url or "")
        host = (parts.hostname or "").lower()
        if parts.scheme != "http" or not _is_demo_host(host):
            continue
        hosts.add(host)
        wanted[parts.path or "/"] = ping.post_id
    links = permalinks(blog, set(wanted.values()))
    return demo_pages({path: links.get(post, "") for path, post in wanted.items()}), hosts


def start_demo_sources_for(
    blog: Blog, config: Config | None = None
) -> tuple[SourceServer, VerifySettings]:
    """Start the demo's source server for this blog; returns it and the VerifySettings
    that reach it (stop the server with ``server.stop()``)."""
    routes, hosts = demo_routes_for_blog(blog)
    server, _ = start_demo_sources(routes)
    settings = demo_verify_settings(server, config, home=blog.option("home"))
    settings.connect_map = {
        **settings.connect_map,
        **{(h, 80): ("127.0.0.1", server.port) for h in hosts},
    }
    return server, settings
