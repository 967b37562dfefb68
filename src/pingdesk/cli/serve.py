"""`pingdesk serve`: the terminal UI in a browser (textual-serve), on loopback by default.

pingdesk serve                         # http://127.0.0.1:8000/, for an ssh -L tunnel
pingdesk --db mysql://... serve --port 8080
pingdesk serve --host 0.0.0.0 --public # anyone with the printed token URL
pingdesk serve --demo                  # the built-in demo blog

Each browser tab runs this same Python as `pingdesk <the same global options>`, so
the page opens the blog this command names. textual-serve (and so Textual) is
imported only when the command runs: --help stays cheap.
"""

from __future__ import annotations

import argparse
import secrets
import shlex
import socket
import sys
from typing import TYPE_CHECKING

from pingdesk.cli.session import open_desk, writable_data_dir
from pingdesk.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands

# The global options (cli.args.add_global_options) each tab's pingdesk is given.
PASSED_ON = (
    ("--wp-config", "wp_config"),
    ("--db", "db"),
    ("--prefix", "prefix"),
    ("--profile", "profile"),
    ("--site", "site"),
    ("--url", "url"),
)
# Switches among them: a queue across a network's sites or several profiles.
PASSED_ON_SWITCHES = (("--network", "network"), ("--all-profiles", "all_profiles"))


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the terminal UI to a web browser (loopback only unless --public)",
        description="Serve the terminal UI as a web page: each browser tab runs its own "
        "pingdesk on the blog the global options name. It listens on 127.0.0.1 by default; "
        "from another machine use a tunnel (ssh -L 8000:127.0.0.1:8000 blog-server, then "
        "open http://localhost:8000/). Any other --host needs --public, which makes every "
        "request carry a random token printed at start.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="port to listen on (8000)")
    p.add_argument(
        "--public",
        action="store_true",
        help="allow a non-loopback --host; every request then needs the printed token",
    )
    p.add_argument("--token", action="store_true", help="require the printed token on loopback too")
    p.add_argument("--demo", action="store_true", help="serve the built-in demo blog")
    p.set_defaults(func=cmd_serve)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, not {port}")
    return port


def tab_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs per browser connection. ``exec``: the
    pingdesk process is the server's own child, stopped with it."""
    argv = [sys.executable, "-m", "pingdesk"]
    for flag, name in PASSED_ON:
        value = getattr(args, name, None)
        if value is not None:
            argv += [flag, value]
    for flag, name in PASSED_ON_SWITCHES:
        if getattr(args, name, False):
            argv.append(flag)
    if args.demo:
        argv.append("demo")
    return "exec " + shlex.join(argv)


def cmd_serve(args: argparse.Namespace) -> int:
    from pingdesk.tui.web.loopback import is_loopback

    if not is_loopback(args.host) and not args.public:
        raise UsageError(
            f"--host {args.host} is reachable from other machines: add --public (every "
            "request then needs the token printed at start), or keep 127.0.0.1 and use a "
            "tunnel (ssh -L 8000:127.0.0.1:8000 blog-server)"
        )
    label = _check_blog(args)
    token = secrets.token_urlsafe(24) if args.public or args.token else None
    from pingdesk.tui.web.server import serve

    serve(
        tab_command(args),
        host=args.host,
        port=args.port,
        token=token,
        announce=_announcement(args, label, token),
    )
    return EXIT_OK


def _check_blog(args: argparse.Namespace) -> str:
    """Open the blog once now: a wrong --db fails here, with its message and exit code,
    not as a blank page in every tab. Returns what to call it."""
    if args.demo:
        from pingdesk.demo.blog import ensure

        writable_data_dir()
        ensure()  # built once here, not by two tabs at once
        return "the demo blog"
    with open_desk(args, across_blogs=True, reporting=False) as desk:
        return desk.blog.label


def _announcement(args: argparse.Namespace, label: str, token: str | None) -> str:
    host = args.host
    if host in ("0.0.0.0", "::", ""):
        host = socket.getfqdn()  # listening everywhere: the name others reach it by
    if ":" in host:
        host = f"[{host}]"
    url = f"http://{host}:{args.port}/"
    lines = [f"pingdesk: serving the UI on {label}"]
    if token is None:
        lines.append(f"Open {url}")
        lines.append(
            f"From another machine: ssh -L {args.port}:127.0.0.1:{args.port} <this server>, "
            f"then open http://localhost:{args.port}/"
        )
    else:
        lines.append(f"Open {url}?token={token}")
        lines.append("Anyone with this URL can moderate the blog. Plain HTTP: on a network you")
        lines.append("do not trust, put it behind a TLS proxy or use an ssh tunnel instead.")
    lines.append("Ctrl+C stops the server and every open tab.")
    return "\n".join(lines)
