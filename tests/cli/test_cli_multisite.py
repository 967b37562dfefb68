"""Multisite from the command line: `sites`, `--site`, and the TUI's switch-site list."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pingdesk.cli.args import config_of, where
from pingdesk.cli.main import build_parser, main
from pingdesk.cli.session import open_desk
from pingdesk.services.locate import open_desk as open_blog
from pingdesk.services.locate import other_blogs

pytestmark = [pytest.mark.mariadb, pytest.mark.wordpress]


def test_sites_and_site_selection(wp_multisite: Any, capsys: pytest.CaptureFixture[str]) -> None:
    url = str(wp_multisite.url)
    assert main(["--db", url, "sites", "--json"]) == 0
    sites = json.loads(capsys.readouterr().out)
    assert {s["id"] for s in sites} >= {1, 2}
    assert main(["--db", url, "--site", "2", "counts", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"pending", "approved", "spam", "trash"}
    assert main(["--db", url, "--site", "99", "counts"]) == 2
    assert "99" in capsys.readouterr().err


def test_switch_site_targets_open_the_other_sites(wp_multisite: Any) -> None:
    args = build_parser().parse_args(["--db", str(wp_multisite.url), "counts"])
    with open_desk(args, reporting=False) as desk:
        targets = other_blogs(desk, where(args), config_of(args))
        names = [t.name for t in targets]
        assert any(n.startswith("site 2:") for n in names), names
        chosen = next(t for t in targets if t.name.startswith("site 2:"))
        other = open_blog(chosen.where, config_of(args), desk.journal)
        try:
            assert other.blog.site_id == 2
            assert other.blog.tables.prefix.endswith("2_")
        finally:
            other.blog.engine.dispose()
