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
from pingdesk.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_PARTIAL, NotFound, UsageError

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
        add_dry_run(p)
        add_yes(p)
        if action == "delete":
            p.add_argument(
                "--force",
                action="store_true",
                help="also delete pings that are not in spam or trash (wp-admin offers "
                "Delete Permanently only there)",
            )
        add_no_wait(p)
        add_format(p)
        p.set_defaults(func=cmd_moderate, action=action)


def add_dry_run(
    p: argparse.ArgumentParser, text: str = "say what would change; change nothing"
) -> None:
    p.add_argument("--dry-run", action="store_true", help=text)


def add_yes(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help="do not ask before acting on everything (needed off a terminal)",
    )


def add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text: a summary; json: every id's outcome",
    )
    p.add_argument("--json", action="store_true", help="same as --format json")


def wants_json(args: argparse.Namespace) -> bool:
    return bool(args.json) or getattr(args, "format", "text") == "json"


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
    if getattr(args, "no_wait", False):
        return None
    from pingdesk.cli.args import config_of
    from pingdesk.services.akismet import AkismetSettings, deliver, run_sync

    total: RetrySummary | None = None
    # Across blogs each blog's reports go with its own key and site data.
    for blog_desk in desk.desks():
        reporting = blog_desk.reporting
        if reporting is None or reporting.site is None or not blog_desk.reports_waiting():
            continue
        settings = AkismetSettings.from_config(config_of(args))
        got = run_sync(
            deliver(
                blog_desk.blog,
                blog_desk.journal,
                settings=settings,
                on_progress=Progress("reporting to Akismet"),
            )
        )
        if total is None:
            total = got
        else:
            total.sent += got.sent
            total.failed += got.failed
            total.remaining += got.remaining
            total.not_due += got.not_due
            total.elsewhere += got.elsewhere
            total.message = total.message or got.message
            total.failure = total.failure or got.failure
    return total


def waiting_reports(desk: Desk) -> int:
    """Akismet reports queued and not sent, on the blogs that report (all of a Fleet's)."""
    return sum(d.reports_waiting() for d in desk.desks() if d.reporting is not None)


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
    from pingdesk.cli.outcomes import of_result

    told = of_result(res)
    if as_json:
        data = _result_json(res) | {"outcomes": told.to_json()}
        if sent is not None or waiting:
            data["akismet"] = akismet_json(sent, waiting)
        emit_json(data)
    elif told.nothing_exists:
        raise NotFound(told.missing_message())
    else:
        for line in told.lines():
            print(line)
        print_akismet(sent, waiting)
    if told.nothing_exists:
        return EXIT_BAD_INPUT  # nothing asked for exists: bad input, not a partial success
    return EXIT_OK if not told.left and not res.cancelled else EXIT_PARTIAL


# Filters beyond --status: without one of them, --all-matching takes a whole view.
NARROWING = ("kind", "post", "domain", "self_only", "search", "check", "akismet")


def takes_whole_view(args: argparse.Namespace) -> bool:
    return bool(args.all_matching) and not any(
        getattr(args, name) not in (None, False, "all") for name in NARROWING
    )


def view_words(status: str, n: int, among: set[str]) -> str:
    """'84 pending pings', '6 pings in the trash', '109 pending or approved pings'
    (``among``: the statuses of the pings it applies to, for --status all)."""
    from pingdesk.services.words import plural
    from pingdesk.wp.pings import STATUS_NAMES

    if status == "all":
        names = list(dict.fromkeys(n for n in STATUS_NAMES.values() if n in among))
        if len(names) == len(set(STATUS_NAMES.values())):
            return f"{plural(n, 'ping')} (every status)"
        status = " or ".join(names)
    if status == "trash":
        return f"{plural(n, 'ping')} in the trash"
    return f"{n:,} {status} {'ping' if n == 1 else 'pings'}"


def _refuse_live_delete(current: dict[int, str]) -> None:
    """WordPress offers Delete Permanently only in Spam and Trash; pingdesk too, unless --force."""
    from pingdesk.wp.moderation import status_phrase

    live = [(i, s) for i, s in current.items() if s not in ("spam", "trash", "post-trashed")]
    if not live:
        return
    shown = 5
    named = ", ".join(f"#{i} is {status_phrase(s)}" for i, s in live[:shown])
    more = f" (and {len(live) - shown:,} more)" if len(live) > shown else ""
    them = "it" if len(live) == 1 else "them"
    raise UsageError(
        "delete is permanent, and WordPress offers it only for spam and trash; "
        f"{named}{more}: trash {them} first, or pass --force"
    )


def cmd_moderate(args: argparse.Namespace) -> int:
    from pingdesk.cli.confirm import confirm
    from pingdesk.cli.outcomes import naming
    from pingdesk.cli.refs import resolve
    from pingdesk.services.words import past
    from pingdesk.wp.moderation import APPLICABLE
    from pingdesk.wp.pings import STATUS_NAMES

    check_selection(args, args.action)
    as_json = wants_json(args)
    with open_desk(args, across_blogs=True, reporting=not args.dry_run) as desk:
        # Across blogs outcomes name pings SITE:ID; set for this command only (the tests
        # run many commands in one process).
        naming.set(desk.ref if desk.across_blogs else None)
        missing: list[int] = []
        if args.all_matching:
            seen = {p.id: p.status for p in desk.each(ping_filter(args))}
        else:
            wanted = list(dict.fromkeys(resolve(desk, args.ids)))
            seen = desk.statuses(wanted)
            missing = [i for i in wanted if i not in seen]
        if args.action == "delete" and not args.force:
            _refuse_live_delete(seen)
        if args.dry_run:
            return _dry_run(args, seen, missing, as_json=as_json)
        applicable = [s for s in seen.values() if s in APPLICABLE[args.action]]
        if takes_whole_view(args) and applicable:
            among = {STATUS_NAMES.get(s, s) for s in applicable}
            confirm(
                f"{args.action} all {view_words(args.status, len(applicable), among)}?",
                yes=args.yes,
                what=f"{args.action} --all-matching",
            )
        res = desk.act(args.action, seen, progress=Progress(past(args.action)))
        res.requested += len(missing)
        res.missing.extend(missing)
        sent = deliver_reports(args, desk)
        waiting = waiting_reports(desk)
        return report_moderation(res, as_json=as_json, sent=sent, waiting=waiting)


def _dry_run(
    args: argparse.Namespace, current: dict[int, str], missing: list[int], *, as_json: bool
) -> int:
    from pingdesk.cli.outcomes import json_id, of_plan

    plan = of_plan(args.action, current, missing)
    if as_json:
        emit_json(
            {
                "action": args.action,
                "dry_run": True,
                "would_change": [json_id(i) for i in sorted(plan.changed)],
                "not_applicable": [
                    json_id(i) for i in sorted(x.id for x in plan.left if x.outcome == "skipped")
                ],
                "not_found": [json_id(i) for i in missing],
                "outcomes": plan.to_json(),
            }
        )
    elif plan.nothing_exists:
        raise NotFound(plan.missing_message())
    else:
        for line in plan.lines():
            print(line)
    if plan.nothing_exists:
        return EXIT_BAD_INPUT
    return EXIT_OK if not plan.left else EXIT_PARTIAL
