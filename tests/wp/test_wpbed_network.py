"""The test bed's multisite network (wp_network): WordPress made it, and sees what we expect."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import inspect, text

from tests.support.wpbed.network import NETWORK_PINGS, PATHS, WPNetwork

pytestmark = [pytest.mark.mariadb, pytest.mark.wordpress]


def test_sites_tables_and_flags(wp_network: WPNetwork) -> None:
    engine = wp_network.main.engine
    names = set(inspect(engine).get_table_names())
    for blog_id in PATHS:
        prefix = "wp_" if blog_id == 1 else f"wp_{blog_id}_"
        for table in ("comments", "commentmeta", "posts", "options"):
            assert prefix + table in names
    with engine.connect() as conn:
        blogs = {
            int(r.blog_id): (r.path, int(r.archived), int(r.spam), int(r.deleted))
            for r in conn.execute(
                text("SELECT blog_id, path, archived, spam, deleted FROM wp_blogs")
            )
        }
    assert blogs == {
        1: ("/", 0, 0, 0),
        2: ("/sub/", 0, 0, 0),
        3: ("/site3/", 0, 0, 0),
        4: ("/site4/", 1, 0, 0),
        5: ("/site5/", 0, 0, 0),
        6: ("/site6/", 0, 1, 0),
        7: ("/site7/", 0, 0, 1),
    }
    assert wp_network.live == [1, 2, 3, 5]
    # WordPress's own view of the flags, from WP_Site.
    flags = {s["site"]: s for s in wp_network.wp_comments()}
    assert flags[4]["archived"] and not flags[4]["spam"] and not flags[4]["deleted"]
    assert flags[6]["spam"] and flags[7]["deleted"]
    assert not any(flags[s][f] for s in (1, 2, 3, 5) for f in ("archived", "spam", "deleted"))
    # Each site's home is its own (wpmu_create_blog's options), read back through WordPress.
    assert wp_network.site(3).php1({"cmd": "get_option", "name": "home"}) == (
        "http://blog.test/site3"
    )


def test_wordpress_finds_the_pending_pings_on_each_site(wp_network: WPNetwork) -> None:
    answer = {s["site"]: s["pings"] for s in wp_network.wp_comments("hold")}
    assert sorted(answer) == sorted(PATHS)  # every site, the flagged ones too
    for site in PATHS:
        made = wp_network.expected("0", sites=[site])
        assert [p["id"] for p in answer[site]] == [p.id for p in made], site
        for got, want in zip(answer[site], made, strict=True):
            assert got["status"] == "0" and got["site"] == site
            assert got["post"] == want.post and got["date_gmt"] == want.date_gmt
            assert got["source_url"] == want.source_url
            assert got["webmention"] == (want.kind == "webmention")
    # Where the pending pings are: sites 2, 3 and the flagged 4, 6, 7; none on 1 and 5.
    assert {s for s, pings in answer.items() if pings} == {2, 3, 4, 6, 7}
    kinds = Counter("webmention" if p["webmention"] else p["type"] for p in answer[2] + answer[3])
    assert kinds == {"pingback": 4, "trackback": 3, "webmention": 1}
    (mention,) = [p for p in answer[2] if p["webmention"]]
    assert mention["type"] == "mention" and mention["source_url"] != mention["author_url"]
    # The reader's pending comment on site 2 is no ping.
    reader = [p for p in wp_network.pings if p.kind == "comment"]
    assert reader and reader[0].id not in {p["id"] for p in answer[2]}
    # The live network's queue, newest first, mixes the sites.
    live = sorted(
        (p for s in wp_network.live for p in answer[s]),
        key=lambda p: (p["date_gmt"], p["id"]),
        reverse=True,
    )
    assert [(p["site"], p["id"]) for p in live] == [
        (p.site, p.id) for p in wp_network.expected("0")
    ]
    assert len({p["site"] for p in live[:3]}) > 1


def test_other_statuses_and_chosen_sites(wp_network: WPNetwork) -> None:
    approved = {s["site"]: s["pings"] for s in wp_network.wp_comments("approve", sites=[1, 2, 3])}
    assert sorted(approved) == [1, 2, 3]
    assert [p["id"] for p in approved[1]] == [p.id for p in wp_network.expected("1", sites=[1])]
    assert len(approved[1]) == 1 and len(approved[2]) == 1 and len(approved[3]) == 1
    spam = {s["site"]: s["pings"] for s in wp_network.wp_comments("spam")}
    assert [p["type"] for p in spam[2]] == ["trackback"]
    assert not any(spam[s] for s in PATHS if s != 2)


def test_counts_per_site(wp_network: WPNetwork) -> None:
    counts = {c["site"]: c for c in wp_network.wp_counts()}
    assert sorted(counts) == sorted(PATHS)
    for site, items in NETWORK_PINGS.items():
        pings = Counter(st for kind, st in items if kind in ("pingback", "trackback"))
        assert counts[site]["pings"] == {
            "hold": pings["0"],
            "approve": pings["1"],
            "spam": pings["spam"],
            "trash": 0,
        }, site
        every = Counter(st for _, st in items)
        # WordPress's sample comment on "Hello world!" is approved on every site.
        assert counts[site]["wp_count_comments"]["approved"] == every["1"] + 1
        assert counts[site]["wp_count_comments"]["moderated"] == every["0"]
        assert counts[site]["get_comment_count"]["awaiting_moderation"] == every["0"]
        # comment_count on the posts: approved comments of every type.
        assert sum(counts[site]["post_comment_count"].values()) == every["1"] + 1


def test_set_site_status_by_wordpress(wp_network: WPNetwork) -> None:
    got = wp_network.set_status(3, archived=1)
    assert got["site"] == 3 and got["archived"] and not got["spam"]
    with wp_network.main.engine.connect() as conn:
        row = conn.execute(text("SELECT archived, last_updated FROM wp_blogs WHERE blog_id = 3"))
        archived, updated = row.one()
    assert int(archived) == 1 and str(updated) > "2024"
    assert wp_network.set_status(3, archived=0)["archived"] is False
    # Only this test's copy changed: the next clone has site 3 live again (see below).


def test_each_test_gets_its_own_copy(wp_network: WPNetwork) -> None:
    flags = {s["site"]: s["archived"] for s in wp_network.wp_comments(sites=[3, 4])}
    assert flags == {3: False, 4: True}
    assert wp_network.db.startswith("pd_t_")
