"""Browser mode: the terminal UI in a web page, through textual-serve.

textual-serve runs a command once per browser connection (each tab gets its own
pingdesk process, drawing through Textual's web driver over pipes) and relays its
screen to xterm.js in the page over a websocket. It is the same app, so hostile
text stays as inert as in a terminal and the keys are the same.

What a moderation desk needs in front of it is added here, as an aiohttp middleware
on textual-serve's ``Server``:

* a token (``--public``): every request needs it, in the query (the URL printed at
  start) or in the cookie the page gets with it, so the page's own requests for its
  script, styles and websocket pass. The cookie is HttpOnly and SameSite=Strict: a
  script cannot read it and another site's page cannot send it.
* on loopback without a token (an ``ssh -L`` tunnel), only a loopback Host header:
  a web page whose DNS name is rebound to 127.0.0.1 is refused.
* always, an Origin naming another site is refused: a websocket is not bound by the
  same-origin policy, so any page the moderator visits could otherwise open one to
  this server and type keys into the desk.
"""

from __future__ import annotations

import errno
import hmac
import logging
import sys
from dataclasses import dataclass
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server
from yarl import URL

from pingdesk.errors import ConfigError
from pingdesk.tui.web.loopback import is_loopback

TOKEN_PARAM = "token"


@dataclass(frozen=True)
class Gate:
    """Who may talk to the server: ``token`` when set; else loopback Host headers only."""

    token: str | None
    port: int

    @property
    def cookie(self) -> str:
        # Cookies are per host, not per port: two servers on one machine keep their own.
        return f"pingdesk_token_{self.port}"

    def refusal(self, request: web.Request) -> str | None:
        """Why ``request`` is refused, or None to let it through."""
        origin = request.headers.get("Origin")
        if origin is not None and not same_origin(origin, request.url):
            return "refused: a page of another site"
        if self.token is None:
            if not is_loopback(request.url.host or ""):
                return "refused: this server answers to loopback names only (127.0.0.1)"
            return None
        if self.token_in_query(request) or _equal(request.cookies.get(self.cookie), self.token):
            return None
        return "refused: open the URL with the token pingdesk printed at start"

    def token_in_query(self, request: web.Request) -> bool:
        return self.token is not None and _equal(request.query.get(TOKEN_PARAM), self.token)


def _equal(given: str | None, token: str) -> bool:
    # Constant time: how long a wrong token takes says nothing about the right one.
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def same_origin(origin: str, url: URL) -> bool:
    try:
        o = URL(origin)
        return (o.scheme, o.host, o.port) == (url.scheme, url.host, url.port)
    except ValueError:
        return False


def guard(gate: Gate) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        reason = gate.refusal(request)
        if reason is not None:
            return web.Response(status=403, text=reason + "\n")
        response: web.StreamResponse = await handler(request)
        if gate.token_in_query(request) and not response.prepared:
            response.set_cookie(
                gate.cookie, gate.token or "", httponly=True, samesite="Strict", path="/"
            )
        return response

    return middleware


class PingdeskServer(Server):
    """textual-serve's server with the gate in front, page URLs taken from the request
    (a tunnel's local port, not the port bound here) and pingdesk's own start line."""

    def __init__(self, command: str, *, host: str, port: int, gate: Gate, announce: str) -> None:
        super().__init__(command, host=host, port=port, title="pingdesk")
        self.gate = gate
        self.announce = announce

    def initialize_logging(self) -> None:
        # textual-serve logs every request (the token in its query too) at INFO.
        logging.basicConfig(level=logging.WARNING, format="pingdesk serve: %(message)s")

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(guard(self.gate))
        return app

    async def on_startup(self, app: web.Application) -> None:
        print(self.announce, flush=True)

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page, its websocket URL built from the address the browser used."""
        ws_scheme = "wss" if request.url.scheme == "https" else "ws"
        context = {
            "font_size": _int(request.query.get("fontsize"), 16),
            "app_websocket_url": f"{ws_scheme}://{request.host}/ws",
            "config": {"static": {"url": "/static/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def serve(command: str, *, host: str, port: int, token: str | None, announce: str) -> None:
    """Serve ``command`` (run once per browser connection) until Ctrl+C or SIGTERM."""
    server = PingdeskServer(
        command, host=host, port=port, gate=Gate(token, port), announce=announce
    )
    try:
        server.serve()
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise ConfigError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
                "choose another with --port (or --host)"
            ) from None
        raise
    finally:
        sys.stdout.flush()
