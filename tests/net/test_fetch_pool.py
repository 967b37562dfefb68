"""Connection reuse: one pool per run, kept-alive connections per host, every new one vetted.

``loopback_only`` records every TCP connection the HTTP stack opens, so these
tests count connections, not just requests.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from pingdesk.demo.sources import Route, SourceServer
from pingdesk.net.fetch import Fetcher, FetchSettings
from pingdesk.net.safety import Allowlist
from pingdesk.services.verify import VerifySettings, verify_pings
from tests.net.conftest import PAGE, allowing


def settings_for(port: int, **kw: object) -> FetchSettings:
    return allowing(port, **kw)


async def test_one_connection_for_many_pages_of_one_host(
    server: SourceServer, loopback_only: list[str]
) -> None:
    server.set_routes({f"/p{i}": Route(body=PAGE) for i in range(5)})
    server.set_routes({"/gone": Route(status=404, body="<p>gone</p>")})
    server.set_routes({"/moved": Route(status=301, location="/p0")})
    async with Fetcher(settings_for(server.port)) as f:
        results = [await f.fetch(f"{server.base_url}/p{i}") for i in range(5)]
        gone = await f.fetch(f"{server.base_url}/gone")
        moved = await f.fetch(f"{server.base_url}/moved")
    assert all(r.error is None and r.body == PAGE.encode() for r in results)
    assert gone.status == 404 and moved.error is None and moved.body == PAGE.encode()
    # A 404 or a redirect whose (small) body arrived with it does not cost the connection.
    assert loopback_only == ["127.0.0.1"]


async def test_cut_body_is_not_reused(server: SourceServer, loopback_only: list[str]) -> None:
    server.set_routes({"/big": Route(body="x" * 5000), "/p": Route(body=PAGE)})
    async with Fetcher(settings_for(server.port, max_bytes=100)) as f:
        big = await f.fetch(f"{server.base_url}/big")
        page = await f.fetch(f"{server.base_url}/p")
    assert big.truncated and len(big.body) == 100
    # The rest of the big body is still on the first connection: a new one is opened.
    assert page.body == PAGE.encode() and loopback_only == ["127.0.0.1", "127.0.0.1"]


@dataclass
class OneShotServer:
    """Answers one request per connection, then closes it without saying so."""

    port: int
    connections: int = 0


@pytest.fixture
async def one_shot() -> AsyncIterator[OneShotServer]:
    state = OneShotServer(port=0)
    body = PAGE.encode()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.connections += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    state.port = srv.sockets[0].getsockname()[1]
    yield state
    srv.close()


async def test_stale_kept_alive_connection_is_retried_once(
    one_shot: OneShotServer, loopback_only: list[str]
) -> None:
    base = f"http://127.0.0.1:{one_shot.port}"
    async with Fetcher(settings_for(one_shot.port)) as f:
        first = await f.fetch(base + "/a")
        await asyncio.sleep(0.05)  # the server has closed the kept-alive connection
        second = await f.fetch(base + "/b")
    assert first.error is None and second.error is None and second.body == PAGE.encode()
    assert one_shot.connections == 2 and loopback_only == ["127.0.0.1", "127.0.0.1"]


@dataclass
class P:
    id: int
    post_id: int
    source_url: str


async def test_verification_reuses_one_connection_per_host(
    server: SourceServer, loopback_only: list[str]
) -> None:
    """Sources on one host are fetched over one connection per worker on that host."""
    hosts = ["a.test", "b.test", "c.test"]

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    server.set_routes({f"/s{i}": Route(body=PAGE) for i in range(10)})
    pings = [
        P(n, 1, f"http://{h}:{server.port}/s{i}")
        for n, (h, i) in enumerate(((h, i) for i in range(10) for h in hosts), start=1)
    ]
    settings = VerifySettings(
        allow=Allowlist.parse([f"127.0.0.1:{server.port}"]),
        concurrency=3,
        per_host=1,
        resolver=resolver,
    )
    results = await verify_pings(pings, {1: {"http://blog.test/"}}, settings=settings)
    assert len(results) == 30 and {r.result for r in results} == {"no-link"}
    assert len(loopback_only) == 3  # one connection per host, not one per source
    assert {h for _, hdrs in server.requests for h in [hdrs["host"].split(":")[0]]} == set(hosts)


@pytest.mark.skipif(not hasattr(socket, "TCP_QUICKACK"), reason="Linux only")
async def test_kept_alive_fetches_do_not_wait_for_delayed_acks(
    server: SourceServer, loopback_only: list[str]
) -> None:
    """http.server sends head and body in two writes without TCP_NODELAY; on a reused
    connection a delayed ACK would add ~40 ms to every response."""
    server.set_routes({f"/q{i}": Route(body=PAGE + "x" * 5000) for i in range(6)})
    times: list[float] = []
    async with Fetcher(settings_for(server.port)) as f:
        for i in range(6):
            started = time.perf_counter()
            assert (await f.fetch(f"{server.base_url}/q{i}")).error is None
            times.append(time.perf_counter() - started)
    assert loopback_only == ["127.0.0.1"]
    assert sorted(times[1:])[2] < 0.025, times  # the median of the reused ones
