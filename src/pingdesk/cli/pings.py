"""`pingdesk list | show | counts`: reading pings (never writes, never the network)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from pingdesk.cli.args import add_filter_args, ping_filter
from pingdesk.cli.output import emit_json, table
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK
from pingdesk.textsafe import clean, html_text

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.wp.pings import Ping
    from pingdesk.wp.verify_meta import VerifyResult


def register(sub: Subcommands) -> None:
    p = sub.add_parser("list", help="list pings")
    add_filter_args(p)
    p.add_argument("--limit", type=int, default=50, help="at most N rows (0: all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="one ping in full")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("counts", help="pings per status and type")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_counts)


def _ping_rows(pings: list[Ping], checks: dict[int, VerifyResult]) -> list[list[object]]:
    from pingdesk.services.words import format_age

    now = _now()
    return [
        [
            p.id,
            p.kind,
            p.status_name,
            p.domain or "-",
            p.author,
            f"#{p.post_id} {p.post_title}",
            format_age(p.date_gmt, now),
            "self" if p.is_self else "",
            checks[p.id].result if p.id in checks else "",
        ]
        for p in pings
    ]


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(tzinfo=None)


def _ping_json(p: Ping, checks: dict[int, VerifyResult]) -> dict[str, Any]:
    result = checks.get(p.id)
    return p.to_json() | {
        "check": result.result if result else None,
        "checked_at": result.checked_at if result else None,
    }


def cmd_list(args: argparse.Namespace) -> int:
    from pingdesk.services.evidence import verify_results

    flt = ping_filter(args)
    with open_desk(args, reporting=False) as desk:
        if args.limit and args.limit > 0:
            items = desk.page(flt, limit=args.limit).pings
        else:
            items = list(desk.each(flt))
        checks = verify_results(desk, [p.id for p in items])
        if args.json:
            emit_json([_ping_json(p, checks) for p in items])
        elif not items:
            print("no pings match")
        else:
            table(
                ["ID", "TYPE", "STATUS", "SOURCE", "TITLE", "POST", "AGE", "SELF", "CHECK"],
                _ping_rows(items, checks),
                flex=4,
            )
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from pingdesk.services import evidence
    from pingdesk.services.words import journal_lines
    from pingdesk.wp.verify_meta import META_KEY as VERIFY_META_KEY

    with open_desk(args, reporting=False) as desk:
        p = desk.ping(args.id)
        history = desk.history(p.id)
        check = evidence.verify_results(desk, [p.id]).get(p.id)
        akismet = evidence.akismet_info(desk, [p.id]).get(p.id)
        if args.json:
            data = _ping_json(p, {p.id: check} if check else {}) | {
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
            emit_json(data)
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
    with open_desk(args, reporting=False) as desk:
        counts = desk.counts()
        if args.json:
            emit_json(counts.to_json())
            return EXIT_OK
        data = counts.to_json()
        kinds = ["pingback", "trackback", "webmention"]
        rows: list[list[object]] = [
            [s, *(data[s][k] for k in kinds), sum(data[s].values())] for s in data
        ]
        table(["STATUS", *(k.upper() for k in kinds), "TOTAL"], rows)
    return EXIT_OK
