"""What the fetch tests share: a source page server on 127.0.0.1, and the settings that
let pingdesk fetch from it (loopback is refused unless allowed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pingdesk.demo.sources import SourceServer, start_demo_sources
from pingdesk.net.fetch import FetchSettings
from pingdesk.net.safety import Allowlist

PAGE = "<!doctype html><html><head><title>t</title></head><body><p>hello</p></body></html>"


@pytest.fixture
def server() -> Iterator[SourceServer]:
    srv, _ = start_demo_sources()
    yield srv
    srv.stop()


def allowing(port: int, **kw: object) -> FetchSettings:
    return FetchSettings(allow=Allowlist.parse([f"127.0.0.1:{port}"]), **kw)  # type: ignore[arg-type]
