"""`pingdesk list | show | counts`: reading pings (never writes, never the network)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from pingdesk.cli.args import add_filter_args, ping_filter
from pingdesk.cli.formats import Field, Fields, add_format_args, output
from pingdesk.cli.output import emit_json
from pingdesk.cli.refs import ping_ref
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK
from pingdesk.textsafe import clean, html_text

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.services.fleet import Fleet
    from pingdesk.wp.pings import Ping
    from pingdesk.wp.verify_meta import VerifyResult


def _limit(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"not a number of rows: {text!r} (0 means all)")
    return n


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "list",
        help="list pings",
        description="Every ping the filters match, newest first (--limit caps them), "
        "printed as it is read.",
    )
    add_filter_args(p)
    p.add_argument(
        "--limit", type=_limit, default=0, metavar="N", help="at most N pings (default 0: all)"
    )
    add_format_args(p, LIST_FIELDS)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="one ping in full")
    p.add_argument("id", type=ping_ref, help="ID, or SITE:ID across blogs")
    add_format_args(p, SHOW_FIELDS)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("counts", help="pings per status and type")
    add_format_args(p, COUNT_FIELDS)
    p.set_defaults(func=cmd_counts)


# A row of `list`: the ping and its stored verification result (None: never verified).
Row = tuple["Ping", "VerifyResult | None"]


@cache
def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(tzinfo=None)


def _age(row: Row) -> str:
    from pingdesk.services.words import format_age

    return format_age(row[0].date_gmt, _now())


def _ping_json(p: Ping, result: VerifyResult | None) -> dict[str, Any]:
    """The stable JSON object of a ping (README, Scripting)."""
    data = p.to_json()
    data["check"] = result.result if result else None
    data["checked_at"] = result.checked_at if result else None
    return data


def _ref(p: Ping) -> str:
    return f"{p.site}:{p.comment_id}" if p.site else str(p.id)


def _field(name: str, attr: str, **kw: Any) -> Field[Row]:
    return Field(name, lambda row: getattr(row[0], attr), **kw)


# `list --json`: the stable fields (README, Scripting), in this order.
JSON_FIELDS = [
    "id",
    "post_id",
    "type",
    "status",
    "source_url",
    "domain",
    "author",
    "date_gmt",
    "ip",
    "self",
    "post_title",
    "check",
    "checked_at",
]

LIST_FIELDS: Fields[Row] = Fields(
    [
        Field("id", lambda row: row[0].comment_id, text=lambda row: _ref(row[0]), cut=False),
        _field("site", "site"),
        _field("post_id", "post_id", cut=False),
        _field("type", "kind"),
        _field("status", "status_name"),
        _field("source_url", "source_url", flex=True),
        _field("domain", "domain", text=lambda row: row[0].domain or "-"),
        _field("author", "author", flex=True),
        Field("date_gmt", lambda row: row[0].to_json()["date_gmt"]),
        _field("ip", "ip"),
        _field("self", "is_self", text=lambda row: "self" if row[0].is_self else ""),
        _field("post_title", "post_title", flex=True),
        Field("check", lambda row: row[1].result if row[1] else None),
        Field("checked_at", lambda row: row[1].checked_at if row[1] else None),
        # Not in the JSON by default: what the table shows.
        Field("post", lambda row: f"#{row[0].post_id} {row[0].post_title}", flex=True),
        Field("age", _age),
    ],
    default=JSON_FIELDS,
    table=["id", "type", "status", "domain", "author", "post", "age", "self", "check"],
    to_json=lambda row: _ping_json(*row),
)

# `show`: one ping, every field `show --json` gives; the table is the detail view.
SHOW_NAMES = [
    *JSON_FIELDS,
    *[
        "permalink",
        "user_agent",
        "content",
        "post_ping_status",
        "verification",
        "akismet",
        "meta",
        "history",
    ],
]
SHOW_FIELDS: Fields[dict[str, Any]] = Fields(
    [Field(name, itemgetter(name), cut=name != "id", flex=True) for name in SHOW_NAMES],
    table=["id"],
    vertical=True,
)

COUNT_FIELDS: Fields[dict[str, Any]] = Fields(
    [
        Field(name, itemgetter(name), cut=name == "status")
        for name in ("status", "pingback", "trackback", "webmention", "total")
    ],
    table=["status", "pingback", "trackback", "webmention", "total"],
    id_field=None,
)


def cmd_list(args: argparse.Namespace) -> int:
    from pingdesk.cli.refs import shown
    from pingdesk.services.evidence import verify_results
    from pingdesk.services.readahead import read_ahead

    out = output(args)
    flt = ping_filter(args)
    limit = args.limit or None
    with open_desk(args, across_blogs=True, reporting=False) as desk:
        if out.format in ("ids", "count"):
            # The ids alone, in the list's order: one query on the index, no rows built.
            out.write_ids(shown(desk, desk.ids(flt)[:limit]))
            return EXIT_OK

        def rows() -> Iterator[list[Row]]:
            # Verification results a page at a time, as the pings themselves are read.
            for page in desk.pages(flt, limit=limit, brief=True):
                checks = verify_results(desk, [p.id for p in page])
                yield [(p, checks.get(p.id)) for p in page]

        # The next page is read while this one is printed (see services.readahead).
        out.write(read_ahead(rows()), empty="no pings match")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from pingdesk.services import evidence
    from pingdesk.services.words import journal_lines
    from pingdesk.wp.verify_meta import META_KEY as VERIFY_META_KEY

    out = output(args)
    from pingdesk.cli.refs import resolve

    with open_desk(args, across_blogs=True, reporting=False) as desk:
        p = desk.ping(resolve(desk, [args.id])[0])
        history = desk.history(p.id)
        check = evidence.verify_results(desk, [p.id]).get(p.id)
        akismet = evidence.akismet_info(desk, [p.id]).get(p.id)
        if out.format != "table" or out.chosen is not None:
            data = _ping_json(p, check) | {
                "permalink": p.permalink,
                "user_agent": p.agent,
                "content": p.content,
                "post_ping_status": p.post_ping_status,
                "verification": check.to_json() if check else None,
                "akismet": {
                    "result": akismet.result,
                    "user_result": akismet.user_result,
                    "user": akismet.user,
                    "history": [
                        {"time": h.time, "event": h.event, "user": h.user, "text": h.describe()}
                        for h in akismet.history
                    ],
                }
                if akismet
                else None,
                "meta": p.meta,
                "history": [
                    {
                        "at": e.at,
                        "action": e.action,
                        "state": e.state,
                        "before": it.before.get("status"),
                        "after": it.after.get("status"),
                    }
                    for e, it in history
                ],
            }
            out.write_one(data)
            return EXIT_OK
        fields = [
            ("ID", p.id),
            ("Type", p.kind),
            ("Status", p.status_name),
            ("Title", p.author),
            ("Source", p.source_url),
            ("Domain", p.domain + ("  (self-ping)" if p.is_self else "")),
            ("Post", f"#{p.post_id} {p.post_title} (pings {p.post_ping_status or '?'})"),
            ("Permalink", p.permalink or "-"),
            ("Date (GMT)", p.date_gmt or "-"),
            ("IP", p.ip or "-"),
            ("User agent", p.agent or "-"),
        ]
        for k, v in fields:
            print(f"{k + ':':<12} {clean(v)}")
        print("Excerpt:")
        print("  " + html_text(p.content, max_len=4000).strip().replace("\n", "\n  "))
        for line in evidence.verify_lines(check):
            print(clean(line))
        if akismet and (akismet.result or akismet.history):
            print(
                f"Akismet:     {clean(akismet.result or '-')}"
                + (f" (moderator said {clean(akismet.user_result)})" if akismet.user_result else "")
            )
            for h in akismet.history:
                print(f"  {h.when:%Y-%m-%d %H:%M}  {clean(h.describe())}")
        meta = {
            k: v for k, v in p.meta.items() if k != VERIFY_META_KEY and not k.startswith("akismet_")
        }
        if meta:
            print("Meta:")
            for k, values in meta.items():
                for v in values:
                    print(f"  {clean(k)} = {clean(v, max_len=200)}")
        if history:
            print("pingdesk history:")
            for line in journal_lines(history):
                print(f"  {line}")
    return EXIT_OK


def cmd_counts(args: argparse.Namespace) -> int:
    out = output(args)
    from pingdesk.services.fleet import Fleet

    with open_desk(args, across_blogs=True, reporting=False) as desk:
        if isinstance(desk, Fleet):
            return _fleet_counts(out, desk)
        data = desk.counts().to_json()
    if out.is_default_json:
        emit_json(data)  # the documented shape: an object by status, then by type
        return EXIT_OK
    rows = [{"status": s, **data[s], "total": sum(data[s].values())} for s in data]
    out.write([rows])
    return EXIT_OK


def _fleet_counts(out: Any, desk: Fleet) -> int:
    """Counts across blogs: the totals by status and type, and each blog's."""
    per = desk.seat_counts()
    total = desk.counts().to_json()
    sites = []
    for seat in desk.seats:
        c = per.get(seat.no)
        row: dict[str, Any] = {
            "site": seat.name,
            "site_id": seat.blog.site_id if seat.blog else None,
        }
        if c is None:
            row["error"] = seat.error or "not read"
        else:
            row |= {s: c.total(s) for s in ("pending", "approved", "spam", "trash")}
        sites.append(row)
    if out.is_default_json or out.format in ("json", "jsonl"):
        emit_json(total | {"sites": sites})
        return EXIT_OK
    rows = [{"status": s, **total[s], "total": sum(total[s].values())} for s in total]
    out.write([rows])
    waiting = [s for s in sites if s.get("pending")]
    print(f"{len(waiting):,} of {len(sites):,} sites have pending pings")
    for s in sorted(waiting, key=lambda s: -int(s["pending"]))[:20]:
        print(f"  {clean(s['site'])}: {s['pending']:,} pending")
    for s in sites:
        if "error" in s:
            print(f"  {clean(s['site'])}: {clean(s['error'])}")
    return EXIT_OK
