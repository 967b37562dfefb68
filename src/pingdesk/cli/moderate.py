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
from pingdesk.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_PARTIAL

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.services.akismet import RetrySummary
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
        add_no_wait(p)
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_moderate, action=action)


def add_no_wait(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-wait",
        action="store_true",
        help="leave Akismet reports queued (for `pingdesk akismet retry` or the next run) "
        "instead of sending them before exiting",
    )


def _result_json(res: ModerationResult) -> dict[str, Any]:
    return {
        "action": res.action,
        "requested": res.requested,
        "changed": res.changed,
        "conflicts": [
            {"id": c.id, "expected": c.expected, "actual": c.actual} for c in res.conflicts
        ],
        "skipped": [{"id": i, "reason": r} for i, r in res.skipped],
        "missing": res.missing,
        "journal_id": res.journal_id,
        "cancelled": res.cancelled,
    }


def deliver_reports(args: argparse.Namespace, desk: Desk) -> RetrySummary | None:
    """Send the reports this command queued (and any older ones) before exiting,
    unless ``--no-wait``; a progress line on stderr. None: nothing was waiting."""
    if getattr(args, "no_wait", False) or desk.reporting is None:
        return None
    if desk.reporting.site is None or not desk.reports_waiting():
        return None
    from pingdesk.cli.args import config_of
    from pingdesk.services.akismet import AkismetSettings, deliver, run_sync

    settings = AkismetSettings.from_config(config_of(args))
    return run_sync(
        deliver(
            desk.blog,
            desk.journal,
            settings=settings,
            on_progress=Progress("reporting to Akismet"),
        )
    )


def print_akismet(sent: RetrySummary | None, waiting: int) -> None:
    """One line: what reached Akismet, what waits and how to send it."""
    from pingdesk.textsafe import clean

    if sent is not None and sent.sent:
        print(f"{sent.sent:,} reported to Akismet")
    if waiting:
        why = f": {clean(sent.message)}" if sent is not None and sent.message else ""
        print(f"{waiting:,} Akismet report(s) waiting (pingdesk akismet retry){why}")


def akismet_json(sent: RetrySummary | None, waiting: int) -> dict[str, Any]:
    return {
        "sent": 0 if sent is None else sent.sent,
        "waiting": waiting,
        "message": None if sent is None else sent.message,
    }


def report_moderation(
    res: ModerationResult,
    *,
    as_json: bool,
    sent: RetrySummary | None = None,
    waiting: int = 0,
) -> int:
    from pingdesk.services.words import past, plural

    if as_json:
        data = _result_json(res)
        if sent is not None or waiting:
            data["akismet"] = akismet_json(sent, waiting)
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
        for i in res.missing:
            print(f"not a ping on this blog: #{i}")
        print_akismet(sent, waiting)
    if res.missing and not res.changed and not res.conflicts and not res.skipped:
        return EXIT_BAD_INPUT  # nothing asked for exists: bad input, not a partial success
    if res.missing:
        return EXIT_PARTIAL
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
        sent = deliver_reports(args, desk)
        waiting = desk.reports_waiting() if desk.reporting is not None else 0
        return report_moderation(res, as_json=args.json, sent=sent, waiting=waiting)


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
