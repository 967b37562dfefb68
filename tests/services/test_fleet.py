"""The network-wide queue (``--network``) on a multisite network WordPress itself made:
every live site's pings as one queue, each action written through that site's own
tables exactly as WordPress writes it there, and no other site touched."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from pingdesk.cli.main import main as cli
from pingdesk.config import Config
from pingdesk.services.fleet import Fleet
from pingdesk.services.locate import Where, open_queue
from pingdesk.store.journal import Journal
from pingdesk.wp import pings
from pingdesk.wp.pings import PingFilter, split_key
from pingdesk.wp.verify_meta import VerifyResult, store_results
from tests.support.akismet_fake import FakeAkismet
from tests.support.wpbed import Bed, WPSite, seed_pings
from tests.support.wpbed.network import WPNetwork

pytestmark = [pytest.mark.mariadb, pytest.mark.wordpress]

PATHS = {3: "/third/", 4: "/fourth/"}


@pytest.fixture(scope="module")
def network(wp_bed: Bed) -> Iterator[dict[int, WPSite]]:
    """Sites 1-4 of one network; 2, 3 and 4 have pings; 4 is archived."""
    main = wp_bed.site(multisite=True)
    for n, path in PATHS.items():
        assert main.php1({"cmd": "create_blog", "path": path, "title": f"Site {n}"}) == n
    sites = {1: main, 2: main.sub_site(2), 3: main.sub_site(3, PATHS[3])}
    sites[4] = main.sub_site(4, PATHS[4])
    rng = random.Random(1203)
    for n in (2, 3, 4):
        seed_pings(sites[n], 3, 18, rng)
    with main.engine.begin() as conn:  # what update_blog_status($id, 'archived', 1) writes
        conn.execute(text(f"UPDATE {main.base_prefix}blogs SET archived = 1 WHERE blog_id = 4"))
    yield sites


def _fleet(site: WPSite, tmp_path: Path) -> Fleet:
    journal = Journal.open(tmp_path / "journal.sqlite3")
    # No Akismet beside the changes: WordPress here runs without the plugin.
    desk = open_queue(Where(db=str(site.url)), Config(), journal, network=True, reporting=False)
    assert isinstance(desk, Fleet)
    return desk


def _twin(network: dict[int, WPSite]) -> dict[int, WPSite]:
    twin = network[1].clone("net")
    out = {1: twin}
    for n in (2, 3, 4):
        out[n] = twin.sub_site(n, PATHS.get(n, "/sub/"))
    return out


def test_network_queue_is_every_live_sites_pings(
    network: dict[int, WPSite], tmp_path: Path
) -> None:
    fleet = _fleet(network[1], tmp_path)
    try:
        assert [s.blog.site_id for s in fleet.seats if s.blog] == [1, 2, 3]  # 4 is archived
        for status in ("pending", "approved", "spam", "all"):
            flt = PingFilter(status=status)
            want = {(n, cid) for n in (1, 2, 3) for cid in pings.ping_ids(network[n].blog(), flt)}
            keys = fleet.ids(flt)
            got = [(fleet.seat(split_key(k)[0]).blog.site_id, split_key(k)[1]) for k in keys]
            assert set(got) == want and len(got) == len(want), status
            rows = fleet.pings(keys)
            dates = [p.date_gmt for p in rows]
            assert dates == sorted(dates, reverse=True), "newest first across sites"
            assert {p.site for p in rows} <= {"sub", "third"}
        first = fleet.page(PingFilter(), limit=5)
        assert [p.id for p in first.pings] == fleet.ids(PingFilter())[:5]
        assert first.next_cursor is not None
        per = fleet.seat_counts()
        for seat in fleet.seats:
            assert seat.blog is not None
            assert per[seat.no] == pings.count_pings(network[seat.blog.site_id].blog())
        assert fleet.counts().total("pending") == sum(c.total("pending") for c in per.values())
    finally:
        fleet.close()
        fleet.journal.close()


def test_actions_write_each_site_as_wordpress_does_and_nothing_else(
    network: dict[int, WPSite], tmp_path: Path
) -> None:
    ours = _twin(network)
    theirs = _twin(network)
    before = {n: s.snapshot() for n, s in ours.items()}
    fleet = _fleet(ours[1], tmp_path)
    try:
        pending = fleet.pings(fleet.ids(PingFilter(status="pending")))
        by_site: dict[int, list[int]] = {}
        for p in pending:
            seat = fleet.seat(split_key(p.id)[0])
            assert seat.blog is not None
            by_site.setdefault(seat.blog.site_id or 1, []).append(p.comment_id)
        assert set(by_site) == {2, 3}
        chosen = {n: ids[:3] for n, ids in by_site.items()}
        keys = [
            fleet.parse_ref(f"{'sub' if n == 2 else 'third'}:{cid}")
            for n, ids in chosen.items()
            for cid in ids
        ]
        for action, fn in (("spam", "wp_spam_comment"), ("unspam", "wp_unspam_comment")):
            result = fleet.act(action, {k: fleet.statuses([k])[k] for k in keys})
            assert sorted(result.changed) == sorted(keys), action
            for n, ids in chosen.items():
                theirs[n].php1({"cmd": "apply", "ops": [[fn, i] for i in ids]})
            for n in (1, 2, 3, 4):
                assert ours[n].snapshot() == theirs[n].snapshot(), (action, n)
        # Each site's change is journaled under that site.
        blogs = {e.blog for e in fleet.entries(10)}
        assert len(blogs) == 2 and all("_2_" in b or "_3_" in b for b in blogs), blogs
        # Undo (twice: unspam, then spam) gives back exactly the network as it was.
        fleet.undo()
        fleet.undo()
        for n in (1, 2, 3, 4):
            assert ours[n].snapshot() == before[n], n
    finally:
        fleet.close()
        fleet.journal.close()


def test_cli_network_list_counts_and_site_refs(
    network: dict[int, WPSite],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    ours = _twin(network)
    url = str(ours[1].url)
    assert cli(["--db", url, "--network", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["site"] for r in rows} == {"sub", "third"}
    target = next(r for r in rows if r["site"] == "third")
    assert target["site_id"] == 3 and target["check"] is None
    # What is stored about a ping is read from its own site (the same comment id
    # elsewhere is another ping).
    store_results(ours[3].blog(), [VerifyResult(target["id"], "gone", http_status=404)])
    assert cli(["--db", url, "--network", "list", "--format", "json"]) == 0
    checks = {(r["site"], r["id"]): r["check"] for r in json.loads(capsys.readouterr().out)}
    assert checks.pop(("third", target["id"])) == "gone"
    assert set(checks.values()) == {None}
    assert cli(["--db", url, "--network", "show", f"third:{target['id']}", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["verification"]["result"] == "gone"
    assert cli(["--db", url, "--network", "counts", "--format", "json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert [s["site"] for s in counts["sites"]] == ["", "sub", "third"] or len(counts["sites"]) == 3
    assert sum(s["pending"] for s in counts["sites"]) == len(rows)
    # A plain id is ambiguous across sites: refused before anything is written.
    assert cli(["--db", url, "--network", "approve", str(target["id"])]) == 2
    assert "SITE:ID" in capsys.readouterr().err
    ref = f"third:{target['id']}"
    assert cli(["--db", url, "--network", "approve", ref, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["outcomes"][0]["id"] == ref
    st = pings.get_pings(ours[3].blog(), [target["id"]])[0].status
    assert st == "1"
    assert cli(["--db", url, "--network", "undo"]) == 0
    assert pings.get_pings(ours[3].blog(), [target["id"]])[0].status == "0"
    assert cli(["--db", url, "--site", "2", "--network", "list"]) == 2


@pytest.mark.parametrize(("status", "wp_status"), [("pending", "hold"), ("approved", "approve")])
def test_network_queue_equals_wordpress_get_comments_per_site(
    wp_network: WPNetwork, tmp_path: Path, status: str, wp_status: str
) -> None:
    """The queue is what get_comments() gives after switch_to_blog() on each site that
    network admin lists (archived, spam-flagged and deleted sites left out), newest
    first across sites."""
    wp = wp_network.wp_comments(wp_status)
    flagged = {s["site"] for s in wp if s["archived"] or s["spam"] or s["deleted"]}
    assert flagged == {wp_network.archived, wp_network.spam, wp_network.deleted}
    want = sorted(
        (p["date_gmt"], p["id"], s["site"])
        for s in wp
        if s["site"] not in flagged
        for p in s["pings"]
    )
    fleet = _fleet(wp_network.main, tmp_path)
    try:
        rows = fleet.pings(fleet.ids(PingFilter(status=status)))
        got = [
            (f"{p.date_gmt:%Y-%m-%d %H:%M:%S}", p.comment_id, fleet.seat_named(p.site or "").blog)
            for p in rows
        ]
        site_of = {id(s.blog): s.blog.site_id for s in fleet.seats if s.blog}
        got_ids = [(d, cid, site_of[id(b)]) for d, cid, b in got]
        assert sorted(got_ids) == want
        assert [d for d, _, _ in got_ids] == sorted((d for d, _, _ in got_ids), reverse=True)
        # The first screen is the newest of them, in the same order.
        first = fleet.page(PingFilter(status=status), limit=3).pings
        assert [p.id for p in first] == [p.id for p in rows[:3]]
        # Counts per site are WordPress's own: get_comments(count, type__in pingback and
        # trackback) per site (the bridge leaves webmentions out).
        per = fleet.seat_counts()
        wp_counts = {c["site"]: c["pings"] for c in wp_network.wp_counts()}
        for seat in fleet.seats:
            assert seat.blog is not None and seat.blog.site_id is not None
            typed = per[seat.no].by_status[status]
            assert typed["pingback"] + typed["trackback"] == wp_counts[seat.blog.site_id][wp_status]
    finally:
        fleet.close()
        fleet.journal.close()


def test_network_spam_reports_each_site_to_akismet_as_that_site(
    wp_network: WPNetwork,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As wp-admin with the Akismet plugin on each site: a spam across the network is
    one report per ping, each sent with its own site's key and address."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    key = "a1b2c3d4e5f6"
    for n in (2, 3):
        wp_network.site(n).php1({"cmd": "set_option", "name": "wordpress_api_key", "value": key})
    pending = {n: next(p.id for p in wp_network.expected("0", sites=[n])) for n in (2, 3)}
    homes = {n: wp_network.site(n).php1({"cmd": "get_option", "name": "home"}) for n in (2, 3)}
    with FakeAkismet(valid_keys=(key,)) as fake:
        monkeypatch.setenv("PINGDESK_AKISMET_ENDPOINT", fake.url + "/1.1/")
        url = str(wp_network.url)
        refs = [f"sub:{pending[2]}", f"site3:{pending[3]}"]
        assert cli(["--db", url, "--network", "spam", *refs]) == 0
        out = capsys.readouterr().out
        assert "2 reported to Akismet" in out, out
        sent = fake.calls("submit-spam")
        assert sorted(r.params["blog"] for r in sent) == sorted(homes.values())
        assert {r.params["api_key"] for r in sent} == {key}


def test_network_snapshot_answers_domain_and_self_as_each_site_does(
    wp_network: WPNetwork, tmp_path: Path
) -> None:
    """The view's snapshot read across the network (a few UNION ALLs) gives what each
    site's own SQL path gives: the ids, a domain term, self-pings, the groups."""
    fleet = _fleet(wp_network.main, tmp_path)
    try:
        for status in ("pending", "all"):
            flt = PingFilter(status=status)
            snap = fleet.snapshot(flt)
            assert snap.ids(flt) == fleet.ids(flt), status
            hosts = {urlsplit(p.source_url).hostname for p in wp_network.pings}
            for host in sorted(h for h in hosts if h):
                domain = PingFilter(status=status, domain=host)
                # fleet.ids with a domain term reads each site through its own SQL path.
                assert snap.ids(domain) == fleet.ids(domain), (status, host)
            own = PingFilter(status=status, self_only=True)
            assert snap.ids(own) == fleet.ids(own), status
            grouped = sorted(k for g in snap.group(flt) for k in g.ids)
            assert grouped == sorted(fleet.ids(flt))
            # One site only (the Sites screen's site: term).
            sub = PingFilter(status=status, site="sub")
            assert fleet.snapshot(sub).ids(sub) == fleet.ids(sub) != []
    finally:
        fleet.close()
        fleet.journal.close()
