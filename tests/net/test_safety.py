"""What pingdesk refuses to fetch, on the first hop and on every redirect.

No test here opens a connection to anything but a server it started on
127.0.0.1: host names are resolved by an injected resolver, and the
``loopback_only`` fixture makes any other connection attempt fail the test.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from pingdesk.demo.sources import Route, SourceServer, start_demo_sources
from pingdesk.errors import ConfigError
from pingdesk.net.fetch import Fetcher, FetchSettings
from pingdesk.net.safety import (
    Allowlist,
    UnsafeURL,
    Vetter,
    check_url,
    unsafe_address_reason,
)

# What the fake DNS answers. Nothing here is ever looked up for real.
FAKE_DNS: dict[str, list[str]] = {
    "localhost": ["127.0.0.1", "::1"],
    "intranet.test": ["10.0.0.5"],
    "router.test": ["192.168.1.1"],
    "metadata.test": ["169.254.169.254"],
    "metadata6.test": ["fd00:ec2::254"],
    "cgnat.test": ["100.64.3.4"],
    "rebind.test": ["93.184.216.34", "127.0.0.1"],  # one public, one loopback answer
    "mapped.test": ["::ffff:10.0.0.1"],
    "nip.test": ["127.0.0.1"],
    "public.test": ["93.184.216.34"],
    "sources.test": ["127.0.0.1"],
}


async def fake_resolver(host: str, port: int) -> list[str]:
    if host not in FAKE_DNS:
        raise OSError(f"[Errno -2] Name or service not known: {host}")
    return list(FAKE_DNS[host])


@pytest.fixture
def server() -> Iterator[SourceServer]:
    srv, _ = start_demo_sources({"/ok": Route(body="<title>ok</title><p>fine</p>")})
    yield srv
    srv.stop()


# Refused by the URL check alone (scheme, credentials, spelling, literal address).
UNSAFE_LITERAL = [
    "file:///etc/passwd",
    "ftp://example.com/file",
    "gopher://example.com:70/_GET",
    "javascript:alert(1)",
    "data:text/html,<a href=x>",
    "http://user:pass@example.com/",
    "http://user@example.com/",
    "http://127.0.0.1/",
    "http://127.0.0.1.:80/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0x7f.0.0.1/",
    "http://017700000001/",
    "http://0177.0.0.1/",
    "http://0/",
    "http://[::1]/",
    "http://[::]/",
    "http://0.0.0.0/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://192.0.2.1/",
    "http://198.18.0.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:8.8.8.8]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[::127.0.0.1]/",
    "http://[2002:7f00:1::]/",
    "http://[2002:a00:1::1]/",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "http://[64:ff9b::a00:1]/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    "http://[fc00::1]/",
    "http://[ff02::1]/",
    "http://exa%6dple.com/",
    "http:///no-host",
    "https://[::1]:443/",
]

# Refused only once the name is resolved (by the fake DNS above).
UNSAFE_BY_NAME = [
    "http://localhost/",
    "http://intranet.test/",
    "http://router.test:8080/admin",
    "http://metadata.test/latest/meta-data/",
    "http://metadata6.test/",
    "http://cgnat.test/",
    "http://rebind.test/",
    "http://mapped.test/",
    "http://nip.test/",
]


def test_at_least_thirty_unsafe_urls_listed() -> None:
    assert len(UNSAFE_LITERAL) + len(UNSAFE_BY_NAME) >= 30


@pytest.mark.parametrize("url", UNSAFE_LITERAL)
def test_unsafe_literal_urls_refused(url: str) -> None:
    with pytest.raises(UnsafeURL):
        target = check_url(url)
        # Literal addresses that pass the URL check are vetted again at connect time.
        if target.literal is None:
            raise AssertionError(f"{url} passed as a host name {target.host!r}")


@pytest.mark.parametrize("url", UNSAFE_BY_NAME)
async def test_unsafe_names_refused_at_resolution(url: str) -> None:
    target = check_url(url)
    with pytest.raises(UnsafeURL) as info:
        await Vetter(resolver=fake_resolver).resolve_and_vet(target.host, target.port)
    assert "resolves to" in info.value.reason


@pytest.mark.parametrize("url", UNSAFE_LITERAL + UNSAFE_BY_NAME)
async def test_fetcher_refuses_without_connecting(url: str, loopback_only: list[str]) -> None:
    async with Fetcher(FetchSettings(resolver=fake_resolver)) as f:
        result = await f.fetch(url)
    assert result.error == "refused", (url, result)
    assert result.reason
    assert loopback_only == []


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"],
)
def test_public_addresses_pass(address: str) -> None:
    assert unsafe_address_reason(ipaddress.ip_address(address)) is None


def test_public_urls_pass_the_url_check() -> None:
    assert check_url("https://example.com/a?b=c").host == "example.com"
    assert check_url("http://EXAMPLE.com.:8080/").port == 8080
    assert check_url("http://xn--exmple-cua.com/").host == "xn--exmple-cua.com"
    assert check_url("http://exämple.com/").host == "xn--exmple-cua.com"
    assert check_url("http://my_host.example.com/").host == "my_host.example.com"
    assert check_url("http://8.8.8.8/").literal == ipaddress.ip_address("8.8.8.8")


async def test_public_name_resolves() -> None:
    assert await Vetter(resolver=fake_resolver).resolve_and_vet("public.test", 80) == [
        "93.184.216.34"
    ]


def test_allowlist_parsing() -> None:
    allow = Allowlist.parse(
        ["127.0.0.1:8080", "10.0.0.0/8", "intranet.test", "blog.test:81", "[::1]:9000", " "]
    )
    assert len(allow.entries) == 5
    assert allow.allows_address(ipaddress.ip_address("127.0.0.1"), 8080)
    assert not allow.allows_address(ipaddress.ip_address("127.0.0.1"), 8081)
    assert allow.allows_address(ipaddress.ip_address("10.20.30.40"), 1)
    assert allow.allows_host("intranet.test", 443)
    assert allow.allows_host("blog.test", 81)
    assert not allow.allows_host("blog.test", 80)
    assert allow.allows_address(ipaddress.ip_address("::1"), 9000)
    assert not Allowlist.parse([])
    for bad in ["http://x", "a b", "host:port", "1.2.3.4:99999", "[::1"]:
        with pytest.raises(ConfigError):
            Allowlist.parse([bad])


def test_allowlist_from_config_and_environment() -> None:
    from pingdesk.config import Config, Environment, VerifyConfig

    env = Environment.read({"PINGDESK_VERIFY_ALLOW": "10.0.0.0/8, b.test:81"})
    allow = Allowlist.parse(Config(verify=VerifyConfig(allow=["a.test"]), env=env).verify_allow)
    assert allow.allows_host("a.test", 80)
    assert allow.allows_host("b.test", 81)
    assert allow.allows_address(ipaddress.ip_address("10.1.1.1"), 80)
    assert not Allowlist.parse(Config(env=Environment.read({})).verify_allow)


async def test_allowlisted_name_may_be_private() -> None:
    vetter = Vetter(allow=Allowlist.parse(["intranet.test"]), resolver=fake_resolver)
    assert await vetter.resolve_and_vet("intranet.test", 80) == ["10.0.0.5"]
    with pytest.raises(UnsafeURL):
        await vetter.resolve_and_vet("router.test", 80)


async def test_loopback_server_refused_when_not_allowlisted(
    server: SourceServer, loopback_only: list[str]
) -> None:
    async with Fetcher(FetchSettings(resolver=fake_resolver)) as f:
        direct = await f.fetch(f"{server.base_url}/ok")
        by_name = await f.fetch(f"http://sources.test:{server.port}/ok")
    assert direct.error == "refused"
    assert by_name.error == "refused"
    assert "127.0.0.1" in by_name.reason
    assert server.hits["/ok"] == 0
    assert loopback_only == []


async def test_allowlist_entry_is_port_specific(
    server: SourceServer, loopback_only: list[str]
) -> None:
    allow = Allowlist.parse([f"127.0.0.1:{server.port}"])
    async with Fetcher(FetchSettings(allow=allow, resolver=fake_resolver)) as f:
        ok = await f.fetch(f"http://sources.test:{server.port}/ok")
        other = await f.fetch(f"http://127.0.0.1:{server.port + 1 if server.port < 65535 else 1}/")
    assert ok.error is None and ok.status == 200
    assert other.error == "refused"
    assert set(loopback_only) == {"127.0.0.1"}


@pytest.mark.parametrize(
    "location",
    [
        "http://intranet.test/",
        "http://metadata.test/latest/meta-data/",
        "http://169.254.169.254/",
        "http://[::1]/",
        "http://2130706433/",
        "file:///etc/passwd",
        "http://user:pw@sources.test/",
        "OTHERPORT",
    ],
)
async def test_redirect_to_unsafe_target_refused(
    server: SourceServer, loopback_only: list[str], location: str
) -> None:
    other, _ = start_demo_sources({"/secret": Route(body="<title>secret</title>")})
    try:
        if location == "OTHERPORT":
            location = f"http://127.0.0.1:{other.port}/secret"
        server.set_routes({"/jump": Route(status=302, location=location)})
        allow = Allowlist.parse([f"127.0.0.1:{server.port}"])
        async with Fetcher(FetchSettings(allow=allow, resolver=fake_resolver)) as f:
            result = await f.fetch(f"{server.base_url}/jump")
        assert result.error == "refused", result
        assert server.hits["/jump"] == 1
        assert other.hits["/secret"] == 0
    finally:
        other.stop()


async def test_no_second_lookup_between_vetting_and_connecting(
    server: SourceServer, loopback_only: list[str]
) -> None:
    """A rebinding resolver answers the allowed address once, then a private one."""
    calls: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"] if len(calls) == 1 else ["10.0.0.9"]

    allow = Allowlist.parse([f"127.0.0.1:{server.port}"])
    async with Fetcher(FetchSettings(allow=allow, resolver=rebinding)) as f:
        result = await f.fetch(f"http://rebinder.test:{server.port}/ok")
    assert result.error is None and b"fine" in result.body
    assert calls == ["rebinder.test"]  # resolved exactly once, and that answer was used
    assert loopback_only == ["127.0.0.1"]
    # The Host header still names the site, not the address.
    assert server.requests[-1][1]["host"] == f"rebinder.test:{server.port}"
