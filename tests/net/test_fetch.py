"""The bounded fetcher against real HTTP servers on 127.0.0.1 (allowlisted by port)."""

from __future__ import annotations

import gzip
import socket
import ssl
import subprocess
import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from pingdesk import __version__
from pingdesk.demo.sources import Route, SourceServer
from pingdesk.net.fetch import Fetcher, FetchSettings, user_agent
from pingdesk.net.safety import Allowlist
from tests.net.conftest import PAGE, allowing


def settings_for(srv: SourceServer, **kw: object) -> FetchSettings:
    return allowing(srv.port, **kw)


async def fetch(srv: SourceServer, path: str, **kw: object):  # type: ignore[no-untyped-def]
    async with Fetcher(settings_for(srv, **kw)) as f:
        return await f.fetch(srv.base_url + path)


async def test_plain_page_and_user_agent(server: SourceServer) -> None:
    server.set_routes({"/p": Route(body=PAGE)})
    r = await fetch(server, "/p", user_agent=user_agent("http://blog.test"))
    assert r.error is None and r.status == 200 and r.is_html
    assert r.body == PAGE.encode()
    assert r.charset == "utf-8"
    headers = server.requests[-1][1]
    assert (
        headers["user-agent"] == f"pingdesk/{__version__} (+verifying a link to http://blog.test)"
    )
    assert "WordPress" not in headers["user-agent"]
    assert headers["accept-encoding"] == "gzip, deflate"
    assert "cookie" not in headers


async def test_cookies_are_never_sent_back(server: SourceServer) -> None:
    server.set_routes(
        {"/c": Route(body=PAGE, headers={"Set-Cookie": "track=1; Path=/"}), "/d": Route(body=PAGE)}
    )
    async with Fetcher(settings_for(server)) as f:
        await f.fetch(server.base_url + "/c")
        await f.fetch(server.base_url + "/d")
    assert "cookie" not in server.requests[-1][1]


async def test_gzip_page_decoded(server: SourceServer) -> None:
    server.set_routes({"/g": Route(body=PAGE, gzip=True)})
    r = await fetch(server, "/g")
    assert r.body == PAGE.encode() and not r.truncated


@pytest.mark.parametrize("raw", [True, False])
async def test_deflate_page_decoded_with_or_without_zlib_header(
    server: SourceServer, raw: bool
) -> None:
    if raw:
        c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        data = c.compress(PAGE.encode()) + c.flush()
    else:
        data = zlib.compress(PAGE.encode())
    server.set_routes({"/z": Route(body=data, raw_encoding="deflate")})
    r = await fetch(server, "/z")
    assert r.body == PAGE.encode()


async def test_gzip_bomb_stops_at_the_cap(server: SourceServer) -> None:
    # 200 MB of zeros compress to ~200 KB: the cap must hold after decompression.
    bomb = gzip.compress(b"<html><title>bomb</title>" + b"\0" * 200_000_000, 9)
    assert len(bomb) < 400_000
    server.set_routes({"/bomb": Route(body=bomb, raw_encoding="gzip")})
    t0 = time.monotonic()
    r = await fetch(server, "/bomb", max_bytes=1_000_000)
    assert r.truncated
    assert len(r.body) == 1_000_000
    assert r.body.startswith(b"<html><title>bomb</title>")
    assert time.monotonic() - t0 < 5


async def test_huge_page_is_cut_at_the_cap(server: SourceServer) -> None:
    huge = "<html><title>big</title><body>" + "<p>filler text</p>" * 400_000 + "</body></html>"
    assert len(huge) > 6_000_000
    server.set_routes({"/huge": Route(body=huge)})
    r = await fetch(server, "/huge")  # default cap: 1 MB
    assert r.truncated and len(r.body) == 1_000_000 and r.error is None


async def test_slow_drip_is_cut_by_the_total_deadline(server: SourceServer) -> None:
    # 10 bytes every 0.2 s: each read is quick, the whole would take minutes.
    server.set_routes({"/drip": Route(body=PAGE * 100, drip=0.2, drip_chunk=10)})
    t0 = time.monotonic()
    r = await fetch(server, "/drip", timeout=1.5)
    elapsed = time.monotonic() - t0
    assert r.error == "unreachable" and "timed out" in r.reason
    assert elapsed < 3


async def test_slow_headers_time_out(server: SourceServer) -> None:
    server.set_routes({"/slow": Route(body=PAGE, delay=5)})
    t0 = time.monotonic()
    r = await fetch(server, "/slow", timeout=1.0)
    assert r.error == "unreachable" and time.monotonic() - t0 < 3


async def test_non_html_is_not_read(server: SourceServer) -> None:
    server.set_routes(
        {"/pdf": Route(body=b"%PDF-1.4" + b"x" * 5_000_000, content_type="application/pdf")}
    )
    r = await fetch(server, "/pdf")
    assert r.error == "not-html" and r.body == b"" and "application/pdf" in r.reason


@pytest.mark.parametrize(
    ("content_type", "html"),
    [
        ("application/xhtml+xml; charset=utf-8", True),
        ("TEXT/HTML", True),
        ("text/plain", False),
        ("image/png", False),
        ("application/json", False),
    ],
)
async def test_content_types(server: SourceServer, content_type: str, html: bool) -> None:
    server.set_routes({"/t": Route(body=PAGE, content_type=content_type)})
    r = await fetch(server, "/t")
    assert r.is_html is html
    if not html:
        assert r.error == "not-html"


@pytest.mark.parametrize(("body", "html"), [(PAGE, True), ("just text", False)])
async def test_missing_content_type_is_sniffed(server: SourceServer, body: str, html: bool) -> None:
    server.set_routes({"/n": Route(body=body, content_type=None)})
    r = await fetch(server, "/n")
    assert r.is_html is html


async def test_redirects_followed_up_to_five(server: SourceServer) -> None:
    routes = {f"/r{i}": Route(status=301, location=f"/r{i + 1}") for i in range(5)}
    routes["/r5"] = Route(body=PAGE)
    server.set_routes(routes)
    r = await fetch(server, "/r0")
    assert r.error is None and r.final_url.endswith("/r5") and len(r.redirects) == 5


async def test_six_redirects_are_too_many(server: SourceServer) -> None:
    routes = {f"/s{i}": Route(status=307, location=f"/s{i + 1}") for i in range(6)}
    routes["/s6"] = Route(body=PAGE)
    server.set_routes(routes)
    r = await fetch(server, "/s0")
    assert r.error == "http-error" and "redirects" in r.reason
    assert server.hits["/s6"] == 0


async def test_redirect_loop_ends(server: SourceServer) -> None:
    server.set_routes(
        {"/a": Route(status=302, location="/b"), "/b": Route(status=302, location="/a")}
    )
    r = await fetch(server, "/a")
    assert r.error == "http-error"


async def test_redirect_without_location(server: SourceServer) -> None:
    server.set_routes({"/x": Route(status=302)})
    r = await fetch(server, "/x")
    assert r.error == "http-error" and "Location" in r.reason


@pytest.mark.parametrize("status", [404, 410, 500, 403])
async def test_error_statuses(server: SourceServer, status: int) -> None:
    server.set_routes({"/e": Route(status=status, body=PAGE)})
    r = await fetch(server, "/e")
    assert r.error == "http-error" and r.status == status


async def test_unsupported_encoding(server: SourceServer) -> None:
    server.set_routes({"/br": Route(body=b"\x8b\x02\x80", raw_encoding="br")})
    r = await fetch(server, "/br")
    assert r.error == "http-error" and "content-encoding" in r.reason


async def test_corrupt_gzip(server: SourceServer) -> None:
    server.set_routes({"/bad": Route(body=b"\x1f\x8b\x08\x00garbage" * 10, raw_encoding="gzip")})
    r = await fetch(server, "/bad")
    assert r.error == "http-error"


async def test_connection_refused_is_unreachable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Nothing listens there now; the allowlist lets us try.
    async with Fetcher(FetchSettings(allow=Allowlist.parse([f"127.0.0.1:{port}"]))) as f:
        r = await f.fetch(f"http://127.0.0.1:{port}/")
    assert r.error == "unreachable" and r.reason


async def test_unresolvable_name_is_unreachable() -> None:
    async def nxdomain(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    async with Fetcher(FetchSettings(resolver=nxdomain)) as f:
        r = await f.fetch("http://nowhere.invalid/")
    assert r.error == "unreachable" and "cannot resolve" in r.reason


async def test_server_closing_mid_body(server: SourceServer) -> None:
    server.set_routes({"/cut": Route(body=PAGE, headers={"Content-Length": "100000"},
                                     send_length=False)})  # fmt: skip
    r = await fetch(server, "/cut")
    assert r.error == "unreachable" or (r.error is None and r.body == PAGE.encode())


# -- TLS: the socket goes to the vetted address, SNI and certificate checks use the name --


@pytest.fixture
def tls_server(tmp_path: Any) -> Iterator[tuple[SourceServer, ssl.SSLContext, list[str]]]:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=secure.test",
         "-addext", "subjectAltName=DNS:secure.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    names: list[str] = []
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    server_ctx.sni_callback = lambda sock, name, ctx: names.append(str(name)) or None
    srv = SourceServer({"/s": Route(body=PAGE)})
    srv.socket = server_ctx.wrap_socket(srv.socket, server_side=True)
    srv.start()
    client_ctx = ssl.create_default_context(cafile=str(cert))
    yield srv, client_ctx, names
    srv.stop()


async def _to_loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


async def test_tls_uses_the_name_for_sni_and_certificate(
    tls_server: tuple[SourceServer, ssl.SSLContext, list[str]],
) -> None:
    srv, ctx, names = tls_server
    allow = Allowlist.parse([f"127.0.0.1:{srv.port}"])
    async with Fetcher(FetchSettings(allow=allow, resolver=_to_loopback, verify_tls=ctx)) as f:
        ok = await f.fetch(f"https://secure.test:{srv.port}/s")
        wrong_name = await f.fetch(f"https://other.test:{srv.port}/s")
    assert ok.error is None and ok.body == PAGE.encode()
    assert names[0] == "secure.test"
    assert wrong_name.error == "unreachable" and "TLS" in wrong_name.reason


async def test_untrusted_certificate_is_unreachable(
    tls_server: tuple[SourceServer, ssl.SSLContext, list[str]],
) -> None:
    srv, _, _ = tls_server
    allow = Allowlist.parse([f"127.0.0.1:{srv.port}"])
    async with Fetcher(FetchSettings(allow=allow, resolver=_to_loopback)) as f:
        r = await f.fetch(f"https://secure.test:{srv.port}/s")
    assert r.error == "unreachable" and "TLS" in r.reason
