"""`pingdesk domains`: the view grouped by registrable source domain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pingdesk.services.domains import registrable
from tests.support.blogdata import PingSpec, default_pings, sqlite_desk
from tests.support.cli import run


def test_groups_cover_the_view_exactly(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", db, "domains", "--json")
    assert code == 0
    groups = json.loads(out)
    code, out, _ = run(capsys, "--db", db, "list", "--json")
    pings = {p["id"]: p for p in json.loads(out)}
    grouped = [i for g in groups for i in g["ids"]]
    assert sorted(grouped) == sorted(pings)  # every pending ping once, no other
    for g in groups:
        assert g["pings"] == len(g["ids"])
        assert {registrable(pings[i]["domain"]) or "(no host)" for i in g["ids"]} == {g["domain"]}
    assert [g["pings"] for g in groups] == sorted((g["pings"] for g in groups), reverse=True)


def test_subdomains_are_one_domain_with_their_evidence(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = [
        *default_pings(),
        PingSpec("pingback", "0", "http://a.spam.example/1", "A", 1),
        PingSpec("trackback", "0", "https://www.b.spam.example/2", "B", 2),
        PingSpec("pingback", "0", "http://x.github.io/p", "X", 1),
        PingSpec("pingback", "0", "http://y.github.io/p", "Y", 1),
    ]
    desk = sqlite_desk(home, specs)
    desk.journal.close()
    db = f"sqlite:///{home / 'blog.sqlite'}"
    code, out, _ = run(
        capsys, "--db", db, "domains", "--json", "--fields", "domain,pings,kinds,hosts"
    )
    assert code == 0
    by = {g["domain"]: g for g in json.loads(out)}
    assert by["spam.example"]["pings"] == 4  # two from default_pings, a. and www.b.
    assert by["spam.example"]["kinds"] == {"pingback": 3, "trackback": 1}
    assert by["spam.example"]["hosts"] == ["a.spam.example", "b.spam.example", "spam.example"]
    assert by["x.github.io"]["pings"] == by["y.github.io"]["pings"] == 1  # a public suffix
    code, out, _ = run(capsys, "--db", db, "domains", "--format", "ids", "--limit", "1")
    assert out.split() == ["spam.example"]
    code, out, _ = run(capsys, "--db", db, "domains", "--status", "spam", "--format", "count")
    assert out.strip() == "1"  # junk.example


def test_fields_without_evidence_are_the_same_groups(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without checks or akismet among the fields the meta is not read: nothing else changes.
    specs = [
        *default_pings(),
        PingSpec("pingback", "0", "http://a.spam.example/1", "A", 1),
        PingSpec("webmention", "0", "http://b.spam.example/wm", "B", 2),
    ]
    desk = sqlite_desk(home, specs)
    desk.journal.close()
    db = f"sqlite:///{home / 'blog.sqlite'}"
    code, out, _ = run(capsys, "--db", db, "domains", "--json")
    assert code == 0
    full = json.loads(out)
    fields = ["domain", "pings", "kinds", "posts", "hosts", "first_seen", "self_pings", "ids"]
    code, out, _ = run(capsys, "--db", db, "domains", "--json", "--fields", ",".join(fields))
    assert json.loads(out) == [{k: g[k] for k in fields} for g in full]
    assert any(g["checks"] for g in full)  # the full output did read them
    code, out, _ = run(capsys, "--db", db, "domains", "--format", "ids")
    assert out.split() == [g["domain"] for g in full]
