"""`pingdesk undo | history | restore`: pingdesk's journal of actions on this blog."""

from __future__ import annotations

import argparse
from operator import attrgetter
from typing import TYPE_CHECKING

from pingdesk.cli.formats import Field, Fields, add_format_args, output
from pingdesk.cli.moderate import (
    add_dry_run,
    add_no_wait,
    akismet_json,
    deliver_reports,
    print_akismet,
    waiting_reports,
)
from pingdesk.cli.output import emit_json
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK, EXIT_PARTIAL, NotFound, PingdeskError

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.store.journal import Entry


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "undo",
        help="reverse the last action (or the one given)",
        description="Reverse the newest action not yet undone (one cut short by a crash "
        "included), or ACTION_ID from `pingdesk history`.",
    )
    p.add_argument("action_id", nargs="?", type=int, metavar="ACTION_ID")
    add_dry_run(p)
    add_no_wait(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_undo)

    p = sub.add_parser("history", help="the journal of actions on this blog")
    p.add_argument("--limit", type=int, default=20, help="the newest N actions (20)")
    add_format_args(p, HISTORY_FIELDS)
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("restore", help="bring back a permanently deleted ping")
    p.add_argument("id", type=int)
    add_dry_run(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_restore)


# What an undo puts back, per kind of journal item.
UNDO_NOUN = {"comment": "ping", "post": "post", "option": "setting"}


def cmd_undo(args: argparse.Namespace) -> int:
    if args.dry_run:
        return _undo_dry_run(args)
    with open_desk(args, across_blogs=True) as desk:
        res = desk.undo(args.action_id)
        sent = deliver_reports(args, desk)
        waiting = waiting_reports(desk)
        if args.json:
            emit_json(
                {
                    "undone": res.undone_action,
                    "journal_id": res.undone_id,
                    "restored": res.restored,
                    "conflicts": [
                        {"id": c.id, "expected": c.expected, "actual": c.actual}
                        for c in res.conflicts
                    ],
                    "undo_id": res.journal_id,
                    "akismet": akismet_json(sent, waiting),
                }
            )
        else:
            print(f"undid {res.undone_action} #{res.undone_id}: {len(res.restored)} restored")
            for c in res.conflicts:
                print(f"conflict: {c.describe()} — changed since, left alone")
            print_akismet(sent, waiting)
    return EXIT_PARTIAL if res.conflicts else EXIT_OK


def _undo_dry_run(args: argparse.Namespace) -> int:
    from pingdesk.services.words import plural
    from pingdesk.wp.moderation import status_phrase

    with open_desk(args, across_blogs=True, reporting=False) as desk:
        entry, items = desk.plan_undo(args.action_id)
    if args.json:
        emit_json(
            {
                "dry_run": True,
                "would_undo": entry.action,
                "journal_id": entry.id,
                "items": [
                    {"kind": it.kind, "id": it.object_id, "back_to": it.before.get("status")}
                    for it in items
                ],
            }
        )
        return EXIT_OK
    counts: dict[str, int] = {}
    for it in items:
        counts[it.kind] = counts.get(it.kind, 0) + 1
    what = ", ".join(plural(n, UNDO_NOUN.get(k, k)) for k, n in counts.items()) or "nothing"
    print(f"would undo {entry.action} #{entry.id}: {what}")
    back: dict[str, int] = {}
    for it in items:
        if it.kind == "comment":
            phrase = status_phrase(it.before.get("status"))
            back[phrase] = back.get(phrase, 0) + 1
    for phrase, n in back.items():
        print(f"  {plural(n, 'ping')} back to {phrase}")
    return EXIT_OK


def state_text(e: Entry) -> str:
    """'interrupted: 8,000 of 20,009 applied' for an action cut short."""
    if e.state == "interrupted":
        done = int(e.summary.get("changed") or 0)
        total = int(e.summary.get("requested") or e.total or 0)
        return f"interrupted: {done:,} of {total:,} applied"
    if e.state == "pending":
        return "running"
    return e.state


def _summary_text(e: Entry) -> str:
    return ", ".join(
        f"{k} {v}" for k, v in e.summary.items() if v and k not in ("posts", "interrupted")
    )


HISTORY_FIELDS: Fields[Entry] = Fields(
    [
        Field("id", attrgetter("id"), cut=False),
        Field("at", attrgetter("at")),
        Field("action", attrgetter("action")),
        Field("state", attrgetter("state"), text=state_text),
        Field("summary", attrgetter("summary"), text=_summary_text, flex=True),
        Field("undo_of", attrgetter("undo_of"), cut=False),
    ],
    table=["id", "at", "action", "state", "summary"],
    to_json=lambda e: e.to_json(),
)


def cmd_history(args: argparse.Namespace) -> int:
    out = output(args)
    with open_desk(args, across_blogs=True, reporting=False) as desk:
        entries = desk.entries(args.limit)
    out.write([entries], empty="no actions journaled for this blog yet")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    if args.dry_run:
        return _restore_dry_run(args)
    with open_desk(args) as desk:
        restored = desk.restore(args.id)
        if args.json:
            emit_json({"restored": restored})
        else:
            print(f"restored ping #{args.id} with its meta")
    return EXIT_OK


def _restore_dry_run(args: argparse.Namespace) -> int:
    with open_desk(args, reporting=False) as desk:
        if desk.journal.deleted(desk.blog.key, args.id) is None:
            raise NotFound(f"no journaled delete of ping #{args.id} on this blog")
        if desk.statuses([args.id]):
            raise PingdeskError(f"cannot restore #{args.id}: a comment with that id exists")
    if args.json:
        emit_json({"dry_run": True, "would_restore": [args.id]})
    else:
        print(f"would restore ping #{args.id} with its meta")
    return EXIT_OK
