"""bench/gen_network.py: its cloned sites are what wpmu_create_blog() makes, and WordPress
reads the generated network as generated (a small network; the bench makes 1,000 sites)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.wpbed import Bed, WPSite, mariadb

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import gen_network

pytestmark = [pytest.mark.mariadb, pytest.mark.wordpress]

HOME = "http://network.test"


@pytest.fixture(scope="module")
def generated(wp_bed: Bed) -> Iterator[tuple[WPSite, gen_network.Totals]]:
    db = mariadb.new_name("_gen")
    wp_bed.databases.append(db)
    wp_bed.pinned.add(db)
    spec = gen_network.NetSpec(sites=12, prefix="wp_", home=HOME, seed=3)
    totals = gen_network.build(spec, db, log=lambda _: None)
    yield WPSite(bed=wp_bed, db=db, base_prefix="wp_", home=HOME, multisite=True), totals
    wp_bed.pinned.discard(db)
    wp_bed.release([db])


def _ddl(site: WPSite, table: str, prefix: str) -> str:
    with mariadb.connect(site.db) as conn, conn.cursor() as cur:
        cur.execute(f"SHOW CREATE TABLE `{table}`")
        ddl = str(cur.fetchone()[1])
    return re.sub(r" AUTO_INCREMENT=\d+", "", ddl.replace(f"`{prefix}", "`PREFIX_"))


def _rows(site: WPSite, sql: str) -> list[tuple[object, ...]]:
    with mariadb.connect(site.db) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return [tuple(r) for r in cur.fetchall()]


def test_a_clone_is_shaped_like_a_site_wordpress_made(
    generated: tuple[WPSite, gen_network.Totals],
) -> None:
    main, _ = generated
    live = _rows(
        main, "SELECT blog_id FROM wp_blogs WHERE archived = 0 AND spam = 0 AND deleted = 0"
    )
    # Site 3 came from wpmu_create_blog(); the clone: a live one (a flagged site's own
    # address dies in ms_site_check()).
    clone, made = max(int(r[0]) for r in live), 3
    assert clone > max(gen_network.WP_MADE)
    for table in gen_network.SITE_TABLES:
        assert _ddl(main, f"wp_{clone}_{table}", f"wp_{clone}_") == _ddl(
            main, f"wp_{made}_{table}", f"wp_{made}_"
        ), table

    def option_names(blog_id: int) -> set[str]:
        rows = _rows(main, f"SELECT option_name FROM wp_{blog_id}_options")
        return {str(r[0]).replace(f"wp_{blog_id}_", "wp_N_") for r in rows}

    assert option_names(clone) == option_names(made)

    def global_rows(blog_id: int) -> tuple[object, ...]:
        usermeta = _rows(
            main,
            f"SELECT meta_key, meta_value FROM wp_usermeta WHERE meta_key LIKE 'wp\\_{blog_id}\\_%'"
            " ORDER BY meta_key",
        )
        blogs = _rows(
            main,
            "SELECT site_id, domain, public, mature, lang_id FROM wp_blogs "
            f"WHERE blog_id = {blog_id}",
        )
        log = _rows(main, f"SELECT email, IP FROM wp_registration_log WHERE blog_id = {blog_id}")
        keys = [(str(k).replace(f"wp_{blog_id}_", "wp_N_"), v) for k, v in usermeta]
        return tuple(keys), tuple(blogs), tuple(log)

    assert global_rows(clone) == global_rows(made)

    # WordPress, booted on the clone's own address, finds it and reads its options and roles.
    site = main.sub_site(clone, f"/site{clone}/")
    info = site.php1({"cmd": "info"})
    assert info == info | {"blog_id": clone, "prefix": f"wp_{clone}_", "multisite": True}
    assert info["home"] == f"{HOME}/site{clone}/"
    assert site.php1({"cmd": "get_option", "name": "blogname"}) == f"Site {clone}"
    roles = site.php1({"cmd": "get_option", "name": f"wp_{clone}_user_roles"})
    assert "administrator" in roles
    links = site.php1({"cmd": "permalinks", "ids": [1]})
    assert links["1"].startswith(f"{HOME}/site{clone}/")


def test_wordpress_counts_what_the_generator_reports(
    generated: tuple[WPSite, gen_network.Totals],
) -> None:
    main, totals = generated
    counts = {c["site"]: c for c in main.php1({"cmd": "site_comment_counts"})}
    assert sorted(counts) == list(range(1, 13))
    assert {s: c["pings"]["hold"] for s, c in counts.items()} == totals.per_site
    for site, c in counts.items():
        # comment_count recounted as WordPress keeps it: approved comments of every type.
        assert sum(c["post_comment_count"].values()) == c["wp_count_comments"]["approved"], site
    flags = {
        s["site"]: s
        for s in main.php1({"cmd": "network_comments", "status": "trash", "types": ["pingback"]})
    }
    flagged = [s for s, f in flags.items() if f["archived"] or f["spam"] or f["deleted"]]
    assert len(flagged) == totals.archived + totals.spam + totals.deleted == 3
    assert all(s > max(gen_network.WP_MADE) for s in flagged)
    # Each left-out site has pending pings (the bench shows they are skipped).
    assert all(totals.per_site[s] > 0 for s in flagged)
    assert totals.pending_live == sum(n for s, n in totals.per_site.items() if s not in flagged)
    # Site 4 (WordPress-made) has none pending; site 3 has thousands.
    assert totals.per_site[4] == 0 and totals.per_site[3] >= 1000
