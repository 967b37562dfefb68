"""pingdesk's permalinks against WordPress's own get_permalink(), on a real install.

Content is made through WordPress (wp_insert_post via the bridge); what the
bridge cannot make (page trees, nested categories, a second author, an
attachment) is written with plain SQL, which WordPress then reads back as it
would any row. The permalink structure is changed in the options table between
PHP processes, because WP_Rewrite reads it once at start-up.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, insert, update

from pingdesk.wp.permalinks import permalinks, target_urls, target_urls_for

STRUCTURES = [
    "",
    "/%year%/%monthnum%/%postname%/",
    "/%year%/%monthnum%/%day%/%postname%/",
    "/%category%/%postname%/",
    "/archives/%post_id%",
    "/index.php/%postname%/",
    "/index.php/archives/%post_id%",
    "/%postname%/",
    "/%author%/%postname%",
    "/%year%/%monthnum%/%day%/%hour%%minute%%second%-%post_id%/",
    "/blog/%category%/%post_id%-%postname%",
]


def _set_structure(site: Any, structure: str) -> None:
    o = site.tables.options
    with site.engine.begin() as conn:
        conn.execute(
            update(o).where(o.c.option_name == "permalink_structure").values(option_value=structure)
        )


@pytest.fixture
def content(wp_site: Any) -> dict[str, Any]:
    site = wp_site()
    posts = site.php1({"cmd": "create_posts", "n": 4, "title": "Hello world %d"})
    accents = site.php1({"cmd": "create_posts", "n": 1, "title": "Café déjà vu"})
    cjk = site.php1({"cmd": "create_posts", "n": 1, "title": "日本語の記事"})
    drafts = site.php1({"cmd": "create_posts", "n": 1, "title": "A draft", "post_status": "draft"})
    pending = site.php1(
        {"cmd": "create_posts", "n": 1, "title": "Pending", "post_status": "pending"}
    )
    private = site.php1(
        {"cmd": "create_posts", "n": 1, "title": "Private", "post_status": "private"}
    )
    future = site.php1(
        {
            "cmd": "create_posts",
            "n": 1,
            "title": "Future",
            "post_status": "future",
            "date_start": "2031-05-06 07:08:09",
        }
    )
    pages = site.php1({"cmd": "create_posts", "n": 4, "title": "Page %d", "post_type": "page"})
    front = site.php1({"cmd": "create_posts", "n": 1, "title": "Front", "post_type": "page"})
    draft_page = site.php1(
        {"cmd": "create_posts", "n": 1, "title": "Draft page", "post_type": "page",
         "post_status": "draft"}
    )  # fmt: skip
    attach = site.php1({"cmd": "create_posts", "n": 2, "title": "Image %d"})

    t = site.tables
    with site.engine.begin() as conn:
        # A page tree: Page 2 under Page 1, Page 3 under Page 2; Page 4 under the draft page.
        conn.execute(update(t.posts).where(t.posts.c.ID == pages[1]).values(post_parent=pages[0]))
        conn.execute(update(t.posts).where(t.posts.c.ID == pages[2]).values(post_parent=pages[1]))
        conn.execute(
            update(t.posts).where(t.posts.c.ID == draft_page[0]).values(post_parent=pages[0])
        )
        conn.execute(
            update(t.posts).where(t.posts.c.ID == pages[3]).values(post_parent=draft_page[0])
        )
        # Attachments: one attached to a post, one to a page, status 'inherit'.
        conn.execute(
            update(t.posts)
            .where(t.posts.c.ID == attach[0])
            .values(post_type="attachment", post_status="inherit", post_parent=posts[0])
        )
        conn.execute(
            update(t.posts)
            .where(t.posts.c.ID == attach[1])
            .values(post_type="attachment", post_status="inherit", post_parent=pages[1],
                    post_name="12345")
        )  # fmt: skip
        # Categories: news > local (nested), and zeta; post 1 is in local and zeta.
        cats = {}
        for term_id, (name, parent) in enumerate(
            [("News", 0), ("Local", 100), ("Zeta", 0)], start=100
        ):
            conn.execute(insert(t.terms).values(term_id=term_id, name=name, slug=name.lower()))
            conn.execute(
                insert(t.term_taxonomy).values(
                    term_taxonomy_id=term_id, term_id=term_id, taxonomy="category",
                    description="", parent=parent,
                )
            )  # fmt: skip
            cats[name] = term_id
        tr = t.term_relationships
        conn.execute(tr.delete().where(tr.c.object_id.in_([posts[0], posts[1]])))
        conn.execute(insert(tr).values(object_id=posts[0], term_taxonomy_id=cats["Zeta"]))
        conn.execute(insert(tr).values(object_id=posts[0], term_taxonomy_id=cats["Local"]))
        # posts[1] has no category at all: WordPress falls back to default_category.
        # A second author with a nicename unlike their login.
        conn.execute(
            insert(t.users).values(
                ID=50, user_login="jane", user_nicename="jane-doe", user_email="j@x.test",
                display_name="Jane", user_registered="2020-01-01 00:00:00",
            )
        )  # fmt: skip
        conn.execute(update(t.posts).where(t.posts.c.ID == posts[2]).values(post_author=50))
        o = t.options
        conn.execute(
            update(o).where(o.c.option_name == "show_on_front").values(option_value="page")
        )
        conn.execute(
            update(o).where(o.c.option_name == "page_on_front").values(option_value=str(front[0]))
        )
    ids = [*posts, *accents, *cjk, *drafts, *pending, *private, *future, *pages, *front,
           *draft_page, *attach]  # fmt: skip
    return {"site": site, "ids": ids, "posts": posts, "pages": pages, "front": front[0],
            "drafts": drafts, "attach": attach}  # fmt: skip


@pytest.mark.wordpress
@pytest.mark.parametrize("structure", STRUCTURES)
def test_permalinks_match_wordpress(content: dict[str, Any], structure: str) -> None:
    site, ids = content["site"], content["ids"]
    _set_structure(site, structure)
    expected = {int(k): v for k, v in site.php1({"cmd": "permalinks", "ids": ids}).items()}
    blog = site.blog()
    got = permalinks(blog, ids)
    assert got == expected


@pytest.mark.wordpress
def test_permalinks_other_home_and_examples(wp_site: Any) -> None:
    site = wp_site(home="https://example.org/sub")
    posts = site.php1({"cmd": "create_posts", "n": 2, "title": "Post %d"})
    pages = site.php1({"cmd": "create_posts", "n": 1, "title": "About", "post_type": "page"})
    _set_structure(site, "/%year%/%monthnum%/%postname%/")
    expected = {
        int(k): v for k, v in site.php1({"cmd": "permalinks", "ids": posts + pages}).items()
    }
    got = permalinks(site.blog(), posts + pages)
    assert got == expected
    assert got[pages[0]] == "https://example.org/sub/about/"
    assert got[posts[0]].startswith("https://example.org/sub/2020/01/post-1")


@pytest.mark.wordpress
def test_batch_uses_few_queries(content: dict[str, Any]) -> None:
    site, ids = content["site"], content["ids"]
    _set_structure(site, "/%category%/%author%/%postname%/")
    more = site.php1({"cmd": "create_posts", "n": 60, "title": "Bulk %d"})
    blog = site.blog()
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(blog.engine, "before_cursor_execute", count)
    try:
        links = permalinks(blog, ids + more)
    finally:
        event.remove(blog.engine, "before_cursor_execute", count)
    assert len(links) == len(ids) + len(more)
    # options, posts, ancestors by depth (3 levels), categories (2), authors.
    assert len(statements) <= 10, statements


@pytest.mark.wordpress
def test_target_urls(content: dict[str, Any]) -> None:
    site = content["site"]
    _set_structure(site, "/%year%/%monthnum%/%postname%/")
    blog = site.blog()
    post = content["posts"][0]
    page = content["pages"][1]
    urls = target_urls(blog, post)
    link = permalinks(blog, [post])[post]
    assert link in urls
    assert f"http://blog.test/?p={post}" in urls  # shortlink and ?p=
    assert f"http://blog.test/?page_id={post}" in urls
    assert f"http://blog.test/index.php?p={post}" in urls
    assert any("?p=" in u or "guid" for u in urls)
    both = target_urls_for(blog, [post, page, 999999])
    assert set(both) == {post, page}
    assert "http://blog.test/page-1/page-2/" in both[page]
    # The guid WordPress stored at insert time routes too.
    assert any(u.startswith("http://blog.test/?") and u.endswith(f"p={page}") for u in both[page])


def test_missing_posts_are_left_out_sqlite(tmp_path: Any) -> None:
    from sqlalchemy import create_engine

    from pingdesk.wp.blog import Blog
    from pingdesk.wp.schema import Tables

    tables = Tables("wp_", "wp_")
    engine = create_engine(f"sqlite:///{tmp_path / 'wp.db'}")
    tables.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(tables.options),
            [
                {"option_name": "home", "option_value": "http://x.test"},
                {"option_name": "permalink_structure", "option_value": "/%postname%/"},
            ],
        )
        conn.execute(
            insert(tables.posts).values(
                ID=7, post_content="", post_title="T", post_excerpt="", to_ping="", pinged="",
                post_content_filtered="", post_name="seven", post_status="publish",
                post_date="2024-02-03 04:05:06", guid="http://x.test/?p=7",
            )
        )  # fmt: skip
        conn.execute(
            insert(tables.posts).values(
                ID=8, post_content="", post_title="P", post_excerpt="", to_ping="", pinged="",
                post_content_filtered="", post_name="loop", post_status="publish",
                post_type="page", post_parent=9, guid="",
            )
        )  # fmt: skip
        conn.execute(
            insert(tables.posts).values(
                ID=9, post_content="", post_title="Q", post_excerpt="", to_ping="", pinged="",
                post_content_filtered="", post_name="back", post_status="publish",
                post_type="page", post_parent=8, guid="",
            )
        )  # fmt: skip
    blog = Blog(engine=engine, tables=tables, label="sqlite")
    assert permalinks(blog, [7, 1234]) == {7: "http://x.test/seven/"}
    # A parent loop ends where get_post_ancestors() ends it.
    assert permalinks(blog, [8]) == {8: "http://x.test/back/loop/"}
    assert target_urls(blog, 7) >= {"http://x.test/seven/", "http://x.test/?p=7"}
