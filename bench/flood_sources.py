"""The flood's source pages: one small HTTP/1.1 server per loopback address, one process.

    python bench/flood_sources.py SPEC.json      # prints "ready N" once every host listens

SPEC.json (written by bench_flood.py)::

    {"port": 18480,
     "hosts": {"127.0.1.1": "no-link", "127.0.1.2": "404", "127.0.1.3": "410",
               "127.0.2.9": "genuine", ...},
     "links": {"127.0.2.9/g/3": "http://flood.test/2026/11/post-3/", ...}}

Each host is its own address (Linux routes all of 127.0.0.0/8 to lo), listening on the
same port, so a client's per-host connection limits and reuse are real. Nothing listens
on hosts of kind ``refused``: connecting there is refused.

- ``no-link``: 200, an HTML page about something else (links, but none to the blog);
- ``404`` / ``410``: that status with a small HTML body;
- ``genuine``: 200, a page whose text links to ``links["addr/path"]`` (the post's
  permalink as WordPress made it); 404 for paths not in ``links``.

Keep-alive as any web server: answers carry Content-Length, connections stay open.
asyncio, one event loop; only ever binds 127.x addresses. Counts requests per kind and
prints them on SIGTERM/SIGINT (one JSON line on stderr).
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections import Counter
from pathlib import Path

NO_LINK = (
    "<!doctype html><html><head><title>Best deals {n}</title></head><body>"
    "<h1>Cheap offers {n}</h1><p>Great content about many things. "
    '<a href="http://spam.invalid/buy/{n}">buy now</a> '
    '<a href="/other/{n}">more</a></p></body></html>'
)
GENUINE = (
    "<!doctype html><html><head><title>A reply to your post</title></head><body>"
    "<article><h1>Thinking about it</h1><p>I read "
    '<a href="{link}">this post</a> and wrote a few thoughts of my own. '
    "It is a good read.</p></article></body></html>"
)
ERROR = "<!doctype html><html><head><title>{code}</title></head><body>{code}</body></html>"
REASONS = {200: "OK", 404: "Not Found", 410: "Gone"}


def page(kind: str, addr: str, path: str, links: dict[str, str]) -> tuple[int, str]:
    if kind == "no-link":
        return 200, NO_LINK.format(n=path.rsplit("/", 1)[-1])
    if kind in ("404", "410"):
        return int(kind), ERROR.format(code=kind)
    link = links.get(f"{addr}{path}")
    if link is None:
        return 404, ERROR.format(code=404)
    return 200, GENUINE.format(link=link)


async def serve(spec: dict[str, object]) -> None:
    port = int(spec["port"])  # type: ignore[call-overload]
    hosts: dict[str, str] = dict(spec["hosts"])  # type: ignore[call-overload]
    links: dict[str, str] = dict(spec["links"])  # type: ignore[call-overload]
    served: Counter[str] = Counter()

    def handler(addr: str, kind: str):  # type: ignore[no-untyped-def]
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
                    path = line[1] if len(line) >= 2 else "/"
                    code, body = page(kind, addr, path, links)
                    data = body.encode()
                    served[kind] += 1
                    writer.write(
                        (
                            f"HTTP/1.1 {code} {REASONS[code]}\r\n"
                            "Content-Type: text/html; charset=utf-8\r\n"
                            f"Content-Length: {len(data)}\r\n\r\n"
                        ).encode()
                        + (b"" if line and line[0] == "HEAD" else data)
                    )
                    await writer.drain()
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                pass
            finally:
                writer.close()

        return handle

    servers = []
    for addr, kind in hosts.items():
        assert addr.startswith("127."), addr  # loopback only
        if kind == "refused":
            continue  # nothing listens: connecting is refused
        servers.append(await asyncio.start_server(handler(addr, kind), addr, port, backlog=128))
    print(f"ready {len(servers)}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()
    print(json.dumps({"served": dict(served)}), file=sys.stderr, flush=True)


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    asyncio.run(serve(spec))


if __name__ == "__main__":
    main()
