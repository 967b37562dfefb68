"""Verification runs against a real HTTP server on 127.0.0.1, and results kept in WordPress."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from pingdesk.demo.sources import (
    DEMO_KINDS,
    Route,
    SourceServer,
    demo_pages,
    demo_refused_url,
    demo_source_plan,
    start_demo_sources,
)
from pingdesk.net.safety import Allowlist
from pingdesk.services.desk import Desk
from pingdesk.services.verify import VerifySettings, check_pings, verify_pings
from pingdesk.services.words import format_ago
from pingdesk.store.journal import Journal
from pingdesk.tui.columns.verify import VerifyColumn
from pingdesk.wp.verify_meta import (
    META_KEY,
    RESULTS,
    VerifyResult,
    check_filter,
    load_results,
    parse_check_names,
    store_results,
)

POST = "http://blog.test/2024/03/hello-world/"
TARGETS = {1: {POST, "http://blog.test/?p=1"}, 2: {"http://blog.test/about/"}}


@dataclass
class P:
    id: int
    post_id: int
    source_url: str


def linking(target: str = POST) -> str:
    return f"<html><title>Linking</title><p>See <a href='{target}'>the post</a>.</p></html>"


@pytest.fixture
def server() -> Iterator[SourceServer]:
    srv, _ = start_demo_sources()
    yield srv
    srv.stop()


def settings_for(srv: SourceServer, **kw: Any) -> VerifySettings:
    return VerifySettings(allow=Allowlist.parse([f"127.0.0.1:{srv.port}"]), **kw)


async def test_every_result_kind(server: SourceServer, loopback_only: list[str]) -> None:
    server.set_routes(
        {
            "/linked": Route(body=linking()),
            "/mentioned": Route(body="<title>M</title><p>I read blog.test/?p=1 today.</p>"),
            "/nolink": Route(body="<title>N</title><p>nothing</p>"),
            "/404": Route(status=404, body=linking()),
            "/410": Route(status=410),
            "/500": Route(status=500, body="oops"),
            "/stall": Route(body=linking(), delay=5),
            "/pdf": Route(body=b"%PDF", content_type="application/pdf"),
            "/moved": Route(status=301, location="/linked-final"),
            "/linked-final": Route(body=linking("http://blog.test/about")),
        }
    )
    b = server.base_url
    pings = [
        P(1, 1, f"{b}/linked"),
        P(2, 1, f"{b}/mentioned"),
        P(3, 1, f"{b}/nolink"),
        P(4, 1, f"{b}/404"),
        P(5, 1, f"{b}/410"),
        P(6, 1, f"{b}/500"),
        P(7, 1, f"{b}/stall"),
        P(8, 1, "http://169.254.169.254/latest/meta-data/"),
        P(9, 1, f"{b}/pdf"),
        P(10, 2, f"{b}/moved"),
        P(11, 1, ""),
    ]
    seen: list[VerifyResult] = []
    results = await verify_pings(
        pings, TARGETS, settings=settings_for(server, timeout=1.0), on_result=seen.append
    )
    by_id = {r.ping_id: r for r in results}
    assert [r.ping_id for r in results] == [p.id for p in pings]
    assert sorted(r.ping_id for r in seen) == sorted(by_id)
    expect = {
        1: "linked",
        2: "mentioned",
        3: "no-link",
        4: "gone",
        5: "gone",
        6: "http-error",
        7: "unreachable",
        8: "refused",
        9: "not-html",
        10: "linked",
        11: "refused",
    }
    assert {i: r.result for i, r in by_id.items()} == expect
    assert set(expect.values()) == set(RESULTS)
    assert by_id[1].title == "Linking" and by_id[1].excerpt == "See the post."
    assert by_id[1].http_status == 200 and by_id[1].checked_at.endswith("Z")
    assert by_id[4].http_status == 404 and by_id[6].http_status == 500
    assert by_id[6].reason == "HTTP 500"
    assert "timed out" in by_id[7].reason
    assert "metadata" in by_id[8].reason
    assert by_id[10].final_url.endswith("/linked-final")
    assert by_id[10].source_url.endswith("/moved")


async def test_one_fetch_per_distinct_url(server: SourceServer) -> None:
    server.set_routes({"/shared": Route(body=linking())})
    url = server.base_url + "/shared"
    pings = [P(i, 1 if i % 2 else 2, url + ("#frag" if i == 3 else "")) for i in range(1, 7)]
    results = await verify_pings(pings, TARGETS, settings=settings_for(server))
    assert server.hits["/shared"] == 1
    assert {r.ping_id: r.result for r in results} == {
        1: "linked", 2: "no-link", 3: "linked", 4: "no-link", 5: "linked", 6: "no-link"
    }  # fmt: skip


async def test_global_and_per_host_limits(server: SourceServer) -> None:
    hosts = [f"h{i}.test" for i in range(6)]

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]  # every test host is this server

    server.set_routes({f"/slow{i}": Route(body=linking(), delay=0.2) for i in range(5)})
    pings = [
        P(n, 1, f"http://{h}:{server.port}/slow{i}")
        for n, (h, i) in enumerate(((h, i) for h in hosts for i in range(5)), start=1)
    ]
    settings = settings_for(server, concurrency=4, per_host=2, resolver=resolver)
    results = await verify_pings(pings, TARGETS, settings=settings)
    assert all(r.result == "linked" for r in results) and len(results) == 30
    assert server.peak["*"] == 4
    assert max(server.peak[h] for h in hosts) == 2

    server.peak.clear()
    settings = settings_for(server, concurrency=16, per_host=2, resolver=resolver)
    started = time.monotonic()
    await verify_pings(pings[:5], TARGETS, settings=settings)  # all on one host
    assert server.peak["*"] == 2
    assert time.monotonic() - started >= 0.55  # 5 x 0.2 s, two at a time


async def test_cancel_stops_the_run(server: SourceServer) -> None:
    server.set_routes({f"/c{i}": Route(body=linking(), delay=0.4) for i in range(20)})
    pings = [P(i, 1, f"{server.base_url}/c{i}") for i in range(20)]
    stop = asyncio.Event()

    def first(_: VerifyResult) -> None:
        stop.set()

    t0 = time.monotonic()
    results = await verify_pings(
        pings, TARGETS, settings=settings_for(server), on_result=first, cancel=stop.is_set
    )
    assert 1 <= len(results) < 20
    assert time.monotonic() - t0 < 2


async def test_cancel_by_callable_and_async_callback(server: SourceServer) -> None:
    server.set_routes({f"/d{i}": Route(body=linking(), delay=0.3) for i in range(10)})
    pings = [P(i, 1, f"{server.base_url}/d{i}") for i in range(10)]
    got: list[int] = []

    async def on_result(r: VerifyResult) -> None:
        await asyncio.sleep(0)
        got.append(r.ping_id)

    results = await verify_pings(
        pings, TARGETS, settings=settings_for(server), on_result=on_result,
        cancel=lambda: len(got) >= 2,
    )  # fmt: skip
    assert 2 <= len(results) < 10 and len(got) == len(results)


def test_check_result_json_round_trip() -> None:
    r = VerifyResult(
        ping_id=5, result="no-link", http_status=200, reason="r", final_url="http://x.test/é",
        title="T \u2603", excerpt="e", source_url="http://x.test/", matched="",
    )  # fmt: skip
    data = r.to_json()
    assert next(iter(data)) == "result"
    assert VerifyResult.from_json(data) == r
    stored = r.meta_value()
    assert stored.startswith('{"result":"no-link",') and stored.isascii()
    assert VerifyResult.from_json(stored, ping_id=5) == r
    with pytest.raises(ValueError):
        VerifyResult(ping_id=1, result="bogus")
    assert format_ago(r.checked_datetime, r.checked_datetime) == "just now"  # type: ignore[arg-type]
    assert parse_check_names("gone, no-link") == ["gone", "no-link"]


def test_demo_plan_covers_every_result() -> None:
    plan = demo_source_plan(40)
    kinds = [k for _, k in plan]
    assert len(plan) == 40 and set(kinds) == set(DEMO_KINDS)
    for once in ("slow", "stalled", "refused", "not-html"):
        assert kinds.count(once) == 1
    assert len({p for p, _ in plan}) == 40


async def test_demo_sources_give_every_result(loopback_only: list[str]) -> None:
    server, base = start_demo_sources()
    try:
        plan = demo_source_plan(len(DEMO_KINDS))
        sources = {path: POST for path, kind in plan if kind != "refused"}
        server.set_routes(demo_pages(sources))
        pings = [
            P(i, 1, demo_refused_url() if kind == "refused" else base + path)
            for i, (path, kind) in enumerate(plan, start=1)
        ]
        settings = VerifySettings.from_config(
            home="http://blog.test", extra_allow=[f"127.0.0.1:{server.port}"]
        )
        settings.timeout = 4.0  # the stalled source waits 30 s; do not wait for it here
        results = await verify_pings(pings, TARGETS, settings=settings)
        got = {kind: r.result for (path, kind), r in zip(plan, results, strict=True)}
        assert got == {
            "linked": "linked",
            "linked-relative": "linked",
            "mentioned": "mentioned",
            "no-link": "no-link",
            "gone-404": "gone",
            "gone-410": "gone",
            "redirect": "linked",
            "slow": "linked",
            "not-html": "not-html",
            "server-error": "http-error",
            "refused": "refused",
            "stalled": "unreachable",
        }
    finally:
        server.stop()


# -- results kept in WordPress ------------------------------------------------------


@pytest.mark.wordpress
async def test_results_stored_in_commentmeta(wp_site: Any, server: SourceServer) -> None:
    from pingdesk.wp import pings as reading

    site = wp_site()
    [post] = site.php1({"cmd": "create_posts", "n": 1, "title": "Target post"})
    b = server.base_url
    server.set_routes(
        {"/a": Route(body=linking(f"http://blog.test/?p={post}")), "/b": Route(status=410)}
    )
    ids = site.php1(
        {
            "cmd": "new_comments",
            "comments": [
                {"type": "pingback", "post": post, "author": "A", "author_url": f"{b}/a",
                 "content": "[&#8230;] a [&#8230;]", "approved": "0"},
                {"type": "trackback", "post": post, "author": "B", "author_url": f"{b}/b",
                 "content": "<strong>B</strong>", "approved": "0"},
                {"type": "webmention", "post": post, "author": "C",
                 "author_url": "https://person.example/", "source_url": f"{b}/a",
                 "content": "mention", "approved": "0"},
            ],
        }
    )  # fmt: skip
    blog = site.blog()
    found = reading.get_pings(blog, ids)
    assert {p.id: p.source_url for p in found}[ids[2]] == f"{b}/a"
    progress: list[int] = []
    results = await check_pings(
        blog, found, settings=settings_for(server), on_result=lambda r: progress.append(r.ping_id)
    )
    assert {r.ping_id: r.result for r in results} == {
        ids[0]: "linked", ids[1]: "gone", ids[2]: "linked"
    }  # fmt: skip
    assert sorted(progress) == sorted(ids)
    assert server.hits["/a"] == 1  # the pingback and the webmention share one fetch

    stored = load_results(blog, ids)
    assert {i: r.result for i, r in stored.items()} == {
        ids[0]: "linked", ids[1]: "gone", ids[2]: "linked"
    }  # fmt: skip
    assert stored[ids[0]] == next(r for r in results if r.ping_id == ids[0])

    # The list filter finds pings by stored result, exactly.
    flt = reading.PingFilter(status="all", kind="all", check="gone")
    page = reading.list_pings(blog, flt, limit=50)
    assert [p.id for p in page.pings] == [ids[1]]
    flt = reading.PingFilter(status="all", kind="all", check="linked,gone")
    assert len(reading.list_pings(blog, flt, limit=50).pings) == 3
    flt = reading.PingFilter(status="all", kind="all", check="unchecked")
    assert reading.list_pings(blog, flt, limit=50).pings == []

    # A re-check replaces the row; there is one per ping.
    server.set_routes({"/b": Route(body=linking(f"http://blog.test/?p={post}"))})
    await check_pings(blog, [p for p in found if p.id == ids[1]], settings=settings_for(server))
    assert load_results(blog, [ids[1]])[ids[1]].result == "linked"
    cm = blog.tables.commentmeta
    with blog.engine.connect() as conn:
        from sqlalchemy import func, select

        n = conn.execute(
            select(func.count()).where(cm.c.meta_key == META_KEY, cm.c.comment_id == ids[1])
        ).scalar_one()
    assert n == 1

    # WordPress deletes our meta with the comment.
    site.php1({"cmd": "apply", "ops": [["wp_delete_comment", ids[0]]]})
    assert ids[0] not in load_results(blog, ids)
    # Results for pings deleted meanwhile are not stored as orphans.
    assert store_results(blog, [VerifyResult(ping_id=ids[0], result="gone")]) == 0
    assert ids[0] not in load_results(blog, ids)


def test_check_filter_sqlite(tmp_path: Any) -> None:
    from sqlalchemy import create_engine, insert, select

    from pingdesk.wp.blog import Blog
    from pingdesk.wp.schema import Tables

    tables = Tables("wp_", "wp_")
    engine = create_engine(f"sqlite:///{tmp_path / 'wp.db'}")
    tables.metadata.create_all(engine)
    c = tables.comments
    with engine.begin() as conn:
        for i in range(1, 6):
            conn.execute(
                insert(c).values(comment_ID=i, comment_post_ID=1, comment_author="x",
                                 comment_content="y", comment_type="pingback")
            )  # fmt: skip
    blog = Blog(engine=engine, tables=tables, label="sqlite")
    store_results(
        blog,
        [
            VerifyResult(ping_id=1, result="gone", reason='says "result":"linked"'),
            VerifyResult(ping_id=2, result="no-link", title='{"result":"gone",'),
            VerifyResult(ping_id=3, result="linked"),
            VerifyResult(ping_id=99, result="linked"),
        ],
    )

    def ids(kind: str) -> list[int]:
        with engine.connect() as conn:
            q = select(c.c.comment_ID).where(check_filter(blog, kind)).order_by(c.c.comment_ID)
            return [int(i) for (i,) in conn.execute(q)]

    assert ids("gone") == [1]
    assert ids("linked") == [3]
    assert ids("no-link") == [2]
    assert ids("gone,linked") == [1, 3]
    assert ids("checked") == [1, 2, 3]
    assert ids("unchecked") == [4, 5]
    assert ids("mentioned") == []
    from pingdesk.errors import PingdeskError

    with pytest.raises(PingdeskError):
        check_filter(blog, "nonsense")


def _sqlite_blog(tmp_path: Any, sources: list[str]) -> Any:
    from sqlalchemy import create_engine, insert

    from pingdesk.wp.blog import Blog
    from pingdesk.wp.schema import Tables

    t = Tables("wp_", "wp_")
    engine = create_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    t.metadata.create_all(engine)
    empty = {"post_content": "", "post_excerpt": "", "to_ping": "", "pinged": "",
             "post_content_filtered": ""}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(
            insert(t.options),
            [
                {"option_name": "home", "option_value": "http://demo.test"},
                {"option_name": "siteurl", "option_value": "http://demo.test"},
                {"option_name": "permalink_structure", "option_value": "/%postname%/"},
            ],
        )
        conn.execute(
            insert(t.posts).values(ID=1, post_title="Hello", post_name="hello",
                                   post_date="2024-01-02 03:04:05", guid="", **empty)
        )  # fmt: skip
        for i, url in enumerate(sources, start=1):
            conn.execute(
                insert(t.comments).values(
                    comment_ID=i, comment_post_ID=1, comment_author=f"S{i}",
                    comment_author_url=url, comment_content="[…] x […]",
                    comment_type="pingback", comment_approved="0",
                    comment_date="2024-02-01 00:00:00", comment_date_gmt="2024-02-01 00:00:00",
                )
            )  # fmt: skip
    return Blog(engine=engine, tables=t, label="sqlite")


def test_demo_wiring_and_tui_column(tmp_path: Any, loopback_only: list[str]) -> None:
    from pingdesk.demo.sources import demo_source_url, start_demo_sources_for

    plan = demo_source_plan(len(DEMO_KINDS) - 1)  # all but the stalled one
    plan = [(p, k) for p, k in plan if k != "stalled"] + [("/src/linked/99", "linked")]
    blog = _sqlite_blog(tmp_path, [demo_source_url(p, k) for p, k in plan])
    desk = Desk(blog, Journal(tmp_path / "journal.sqlite3"))
    server, settings = start_demo_sources_for(blog)
    service = VerifyColumn(settings)
    try:
        ticks: list[tuple[int, int]] = []
        ids = list(range(1, len(plan) + 1))
        summary = service.run(desk, ids, progress=lambda d, t: ticks.append((d, t)))
        assert summary.startswith(f"{len(plan)} verified: ")
        assert ticks[0] == (0, len(plan)) and ticks[-1] == (len(plan), len(plan))
        values = service.values(desk, desk.pings(ids))
        kinds = dict(zip(ids, (k for _, k in plan), strict=True))
        assert values[next(i for i, k in kinds.items() if k == "gone-404")] == "gone"
        assert values[next(i for i, k in kinds.items() if k == "redirect")] == "linked"
        assert values[next(i for i, k in kinds.items() if k == "refused")] == "refused"
        assert values[next(i for i, k in kinds.items() if k == "mentioned")] == "mentioned"
        lines = service.details(desk, desk.pings([1])[0])
        assert lines[0].startswith("Source: linked (HTTP 200)")
        assert any(line.startswith("Excerpt: ") for line in lines)
        # The list filter works on SQLite too.
        from pingdesk.wp.pings import PingFilter, list_pings

        gone = list_pings(blog, PingFilter(status="all", check="gone"), limit=50).pings
        assert sorted(p.id for p in gone) == sorted(
            i for i, k in kinds.items() if k.startswith("gone")
        )
    finally:
        server.stop()
        desk.journal.close()


def test_column_stops_when_asked(tmp_path: Any, server: SourceServer) -> None:
    server.set_routes({f"/w{i}": Route(body=linking(), delay=0.5) for i in range(12)})
    blog = _sqlite_blog(tmp_path, [f"{server.base_url}/w{i}" for i in range(12)])
    desk = Desk(blog, Journal(tmp_path / "journal.sqlite3"))
    done: list[int] = []
    service = VerifyColumn(settings_for(server, concurrency=2))
    summary = service.run(
        desk, list(range(1, 13)), progress=lambda d, t: done.append(d),
        should_stop=lambda: max(done, default=0) >= 2,
    )  # fmt: skip
    assert "stopped" in summary
    stored = load_results(blog, range(1, 13))
    assert 2 <= len(stored) < 12  # what finished was kept


def test_cli_verify_then_list_and_moderate_by_result(
    tmp_path: Any,
    server: SourceServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from pingdesk.cli.main import main

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("PINGDESK_VERIFY_ALLOW", raising=False)
    for var in ("PINGDESK_DB", "PINGDESK_WP_CONFIG", "PINGDESK_PROFILE", "PINGDESK_PREFIX"):
        monkeypatch.delenv(var, raising=False)
    server.set_routes(
        {"/ok": Route(body=linking("http://demo.test/hello/")), "/gone": Route(status=404)}
    )
    b = server.base_url
    _sqlite_blog(tmp_path, [f"{b}/ok", f"{b}/gone", f"{b}/gone?x=1", "http://10.0.0.1/"])
    db = f"sqlite:///{tmp_path / 'demo.db'}"

    # Without the allowlist, the loopback server is refused like any private address.
    assert main(["--db", db, "verify", "1", "--json", "--no-store"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["result"] for r in out["results"]] == ["refused"]

    code = main(
        ["--db", db, "verify", "--all-matching", "--json", "--allow", f"127.0.0.1:{server.port}"]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["stored"] is True
    assert {r["ping_id"]: r["result"] for r in out["results"]} == {
        1: "linked", 2: "gone", 3: "gone", 4: "refused"
    }  # fmt: skip
    assert out["summary"] == {"linked": 1, "gone": 2, "refused": 1}

    assert main(["--db", db, "list", "--check", "gone", "--json"]) == 0
    assert sorted(r["id"] for r in json.loads(capsys.readouterr().out)) == [2, 3]
    assert main(["--db", db, "spam", "--all-matching", "--check", "gone", "--json"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "list", "--status", "spam", "--json"]) == 0
    assert sorted(r["id"] for r in json.loads(capsys.readouterr().out)) == [2, 3]

    # Plain output; an unknown result word is one line on stderr, exit 2.
    assert main(["--db", db, "verify", "4"]) == 0
    text = capsys.readouterr().out
    assert "refused" in text and "1 verified: 1 refused (stored)" in text
    # Records in any format; stdout then holds only them.
    assert main(["--db", db, "verify", "4", "--format", "jsonl", "--fields", "id,result"]) == 0
    assert capsys.readouterr().out == '{"id": 4, "result": "refused"}\n'
    assert main(["--db", db, "verify", "4", "999", "--format", "ids"]) == 1
    out, err = capsys.readouterr()
    assert out == "4\n" and "#999" in err
    assert main(["--db", db, "list", "--check", "bogus"]) == 2
    assert "unknown check result" in capsys.readouterr().err
    assert main(["--db", db, "verify", "999"]) == 2


async def test_sources_of_a_host_share_one_connection(
    server: SourceServer, loopback_only: list[str]
) -> None:
    """More hosts than the pool keeps: sources are still fetched host by host, so each
    host costs one connection (the old one-task-per-source order cost one per source)."""
    hosts = [f"k{i}.test" for i in range(8)]

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    server.set_routes({f"/k{i}": Route(body=linking()) for i in range(5)})
    pings = [
        P(n, 1, f"http://{h}:{server.port}/k{i}")
        for n, (i, h) in enumerate(((i, h) for i in range(5) for h in hosts), start=1)
    ]
    settings = settings_for(server, concurrency=2, per_host=1, resolver=resolver)
    results = await verify_pings(pings, TARGETS, settings=settings)
    assert [r.result for r in results] == ["linked"] * 40
    assert len(loopback_only) == len(hosts)
    assert max(server.peak[h] for h in hosts) == 1 and server.peak["*"] <= 2


def _count_writes(engine: Any) -> tuple[list[int], list[str]]:
    from sqlalchemy import event

    commits: list[int] = []
    writes: list[str] = []
    event.listen(engine, "commit", lambda conn: commits.append(1))

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "DELETE", "UPDATE")):
            writes.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", seen)
    return commits, writes


def test_a_batch_of_results_is_one_transaction_with_one_insert(tmp_path: Any) -> None:
    blog = _sqlite_blog(tmp_path, [f"http://s{i}.test/" for i in range(1, 401)])
    commits, writes = _count_writes(blog.engine)
    results = [VerifyResult(ping_id=i, result="gone", http_status=404) for i in range(1, 401)]
    assert store_results(blog, results) == 400
    # One transaction; one DELETE of the old results and one multi-row INSERT
    # (executemany: a single statement execution for all 400 rows).
    assert len(commits) == 1 and writes == ["DELETE", "INSERT"]
    assert {r.result for r in load_results(blog, range(1, 401)).values()} == {"gone"}


async def test_check_pings_stores_in_few_batches(
    tmp_path: Any, server: SourceServer, loopback_only: list[str]
) -> None:
    server.set_routes({f"/b{i}": Route(body=linking("http://demo.test/hello/")) for i in range(60)})
    blog = _sqlite_blog(tmp_path, [f"{server.base_url}/b{i}" for i in range(60)])
    from pingdesk.wp.pings import PingFilter, iter_pings

    pings = list(iter_pings(blog, PingFilter(status="all")))
    commits, writes = _count_writes(blog.engine)
    results = await check_pings(blog, pings, settings=settings_for(server), flush_every=60)
    assert [r.result for r in results] == ["linked"] * 60
    assert len(commits) == 1 and writes == ["DELETE", "INSERT"]  # not one per ping
    assert len(load_results(blog, [p.id for p in pings])) == 60
