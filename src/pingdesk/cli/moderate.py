"""`pingdesk approve | unapprove | spam | unspam | trash | untrash | delete`.

Each takes ping IDs, or ``--all-matching`` with the list filters; ``--dry-run``
says what would change. Spam and not spam are reported to Akismet, as wp-admin
reports them.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from pingdesk.cli.args import add_selection_args, check_selection, ping_filter
from pingdesk.cli.output import Progress, emit_json
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK, EXIT_PARTIAL

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.services.akismet import ReportOutcome
    from pingdesk.services.desk import Desk
    from pingdesk.wp.moderation import ModerationResult

HELP = {
    "approve": "approve pings",
    "unapprove": "move approved pings back to pending",
    "spam": "mark pings as spam (reported to Akismet)",
    "unspam": "not spam: restore the status they had (reported to Akismet)",
    "trash": "move pings to the trash",
    "untrash": "restore pings from the trash",
    "delete": "delete pings permanently (journaled; `restore` brings them back)",
}
# The view each action is offered in, as wp-admin offers it.
DEFAULT_STATUS = {"unapprove": "approved", "unspam": "spam", "untrash": "trash", "delete": "trash"}


def register(sub: Subcommands) -> None:
    for action, text in HELP.items():
        p = sub.add_parser(action, help=text)
        add_selection_args(p, default_status=DEFAULT_STATUS.get(action, "pending"))
        p.add_argument("--dry-run", action="store_true", help="say what would change")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_moderate, action=action)


def _result_json(res: ModerationResult) -> dict[str, Any]:
    return {
        "action": res.action,
        "requested": res.requested,
        "changed": res.changed,
        "conflicts": [
            {"id": c.id, "expected": c.expected, "actual": c.actual} for c in res.conflicts
        ],
        "skipped": [{"id": i, "reason": r} for i, r in res.skipped],
        "journal_id": res.journal_id,
        "cancelled": res.cancelled,
    }


def akismet_outcomes(desk: Desk) -> list[ReportOutcome]:
    """What the Akismet reporting hook did after the last change (none: not installed)."""
    from pingdesk.services.akismet import AkismetReporting

    for hook in desk.after_moderation:
        if isinstance(hook, AkismetReporting):
            return list(hook.last)
    return []


def print_akismet(outcomes: list[ReportOutcome]) -> None:
    from pingdesk.services.akismet import outcomes_line
    from pingdesk.textsafe import clean

    line = outcomes_line(outcomes)
    if line:
        print(line)
    for o in outcomes:
        if o.state in ("queued", "skipped") and o.message:
            print(f"  #{o.ping_id}: {clean(o.message)}")


def report_moderation(
    res: ModerationResult, *, as_json: bool, akismet: list[ReportOutcome] | None = None
) -> int:
    from pingdesk.services.words import past, plural

    akismet = akismet or []
    if as_json:
        data = _result_json(res)
        if akismet:
            data["akismet"] = [o.to_json() for o in akismet]
        emit_json(data)
    else:
        msg = f"{past(res.action)} {plural(len(res.changed), 'ping')}"
        if res.journal_id and res.changed:
            msg += " (undo: pingdesk undo)"
        print(msg)
        for c in res.conflicts:
            print(f"conflict: {c.describe()} — changed by someone else, left alone")
        for i, reason in res.skipped:
            print(f"skipped #{i}: {reason}")
        print_akismet(akismet)
    return EXIT_OK if not res.conflicts and not res.skipped and not res.cancelled else EXIT_PARTIAL


def cmd_moderate(args: argparse.Namespace) -> int:
    from pingdesk.services.words import past

    check_selection(args, args.action)
    with open_desk(args, reporting=not args.dry_run) as desk:
        seen: dict[int, str] | list[int]
        if args.all_matching:
            seen = {p.id: p.status for p in desk.each(ping_filter(args))}
        else:
            seen = list(args.ids)
        if args.dry_run:
            return _dry_run(args, desk, seen)
        res = desk.act(args.action, seen, progress=Progress(past(args.action)))
        return report_moderation(res, as_json=args.json, akismet=akismet_outcomes(desk))


def _dry_run(args: argparse.Namespace, desk: Desk, seen: dict[int, str] | list[int]) -> int:
    from pingdesk.services.words import past
    from pingdesk.wp.moderation import APPLICABLE

    current = seen if isinstance(seen, dict) else desk.statuses(seen)
    would = sorted(i for i, s in current.items() if s in APPLICABLE[args.action])
    missing = [] if isinstance(seen, dict) else [i for i in seen if i not in current]
    if args.json:
        emit_json(
            {
                "action": args.action,
                "dry_run": True,
                "would_change": would,
                "not_applicable": sorted(set(current) - set(would)),
                "not_found": missing,
            }
        )
    else:
        print(
            f"would have {past(args.action)} {len(would)} ping(s)"
            + (f": {', '.join(map(str, would[:30]))}" if would else "")
        )
        if len(would) > 30:
            print(f"... and {len(would) - 30} more")
        for i in missing:
            print(f"not a ping on this blog: #{i}")
    return EXIT_OK
