"""`pingdesk akismet check | status | retry`.

Spam / not-spam reporting needs no command: ``pingdesk spam`` / ``unspam`` (and
the TUI's s / z keys) queue their reports in the outbox with the change and send
them (the CLI before exiting, the TUI in the background); ``retry`` sends what
is still waiting.
"""

from __future__ import annotations

import argparse
import sys
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from pingdesk.cli.args import (
    add_selection_args,
    check_selection,
    config_of,
    ping_filter,
)
from pingdesk.cli.formats import Field, Fields, add_format_args, output
from pingdesk.cli.moderate import add_dry_run
from pingdesk.cli.output import Progress, emit_json, table
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_PARTIAL, EXIT_REMOTE_UNAVAILABLE

if TYPE_CHECKING:  # the Akismet stack (httpx, akismet) loads only when a command runs
    from pingdesk.services.akismet import (
        AkismetService,
        AkismetStatus,
        CheckOutcome,
        CheckSummary,
        RetrySummary,
    )
    from pingdesk.services.desk import Desk

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands


def register(sub: Subcommands) -> None:
    ak = sub.add_parser("akismet", help="check pings with Akismet, key status, waiting reports")
    aksub = ak.add_subparsers(dest="akismet_command", metavar="ACTION", required=True)

    p = aksub.add_parser(
        "check",
        help="ask Akismet about pings (default: the IDs given, or --all-matching)",
        description="Ask Akismet about pings, record its verdicts the way the WordPress "
        "plugin does, and change no status unless --move-spam is given.",
    )
    add_selection_args(p, default_status="pending")
    p.add_argument(
        "--move-spam",
        action="store_true",
        help="move pending pings Akismet calls spam to Spam (like the plugin's Check for Spam)",
    )
    add_dry_run(p, "list the pings it would send to Akismet; send and record nothing")
    add_format_args(p, CHECK_FIELDS)
    p.set_defaults(func=run, akismet_action="check")

    p = aksub.add_parser("status", help="is the key valid, usage, alerts, waiting reports")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run, akismet_action="status")

    p = aksub.add_parser("retry", help="send the spam / ham reports that are waiting")
    p.add_argument("--force", action="store_true", help="ignore Retry-After")
    add_dry_run(p, "say how many reports it would send; send nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run, akismet_action="retry")


def run(args: argparse.Namespace) -> int:
    from pingdesk.services.akismet import AkismetService, AkismetSettings

    if args.akismet_action == "check":
        output(args)  # an unknown --fields is a usage error before Akismet is asked
        check_selection(args, "akismet check")
    dry_run = getattr(args, "dry_run", False)
    # On the demo blog: the demo's Akismet look-alike (args.config is pointed at it).
    with open_desk(args, reporting=False, lookalikes=not dry_run) as desk:
        if args.akismet_action == "check" and dry_run:
            return _check_dry_run(args, desk)
        if args.akismet_action == "retry" and dry_run:
            return _retry_dry_run(args, desk)
        config = config_of(args)
        svc = AkismetService(
            desk.blog,
            AkismetSettings.from_config(config),
            moderator=desk.moderator or config.moderator.login,
            journal=desk.journal,
        )
        action = args.akismet_action
        if action == "check":
            return _check(args, desk, svc)
        if action == "status":
            return _status(args, svc)
        return _retry(args, svc)


def _ids(args: argparse.Namespace, desk: Desk) -> list[int]:
    if args.ids:
        return list(dict.fromkeys(args.ids))
    return desk.ids(ping_filter(args))


def failure_exit(kind: str | None) -> int:
    """A missing or refused key is configuration (2); Akismet down, slow or
    refusing now is a remote service unavailable (4): worth retrying later."""
    if kind in ("missing-key", "invalid-key"):
        return EXIT_BAD_INPUT
    return EXIT_REMOTE_UNAVAILABLE


def _check_dry_run(args: argparse.Namespace, desk: Desk) -> int:
    from pingdesk.services.words import plural

    ids = _ids(args, desk)
    found = {p.id: p for p in desk.pings(ids)}
    missing = [i for i in ids if i not in found]
    would = [i for i in ids if i in found]
    if args.format == "json":
        emit_json({"dry_run": True, "would_check": would, "not_found": missing})
    else:
        moving = " (pending ones it calls spam would move to Spam)" if args.move_spam else ""
        print(f"would ask Akismet about {plural(len(would), 'ping')}{moving}")
        for i in missing[:10]:
            print(f"no ping #{i}")
    if missing and not would:
        return EXIT_BAD_INPUT
    return EXIT_PARTIAL if missing else EXIT_OK


def _retry_dry_run(args: argparse.Namespace, desk: Desk) -> int:
    waiting = desk.outbox.count(desk.blog.key)
    due = desk.outbox.count(desk.blog.key, due_only=not args.force)
    if args.json:
        emit_json({"dry_run": True, "would_send": due, "waiting": waiting})
    else:
        later = f"; {waiting - due:,} wait for Retry-After" if waiting > due else ""
        print(f"would send {due:,} waiting report(s){later}")
    return EXIT_OK


def _check(args: argparse.Namespace, desk: Desk, svc: AkismetService) -> int:
    ids = _ids(args, desk)
    progress = Progress("checking with Akismet")

    def on_result(_result: CheckOutcome, done: int, total: int) -> None:
        progress(done, total)

    async def go() -> CheckSummary:
        async with svc:
            return await svc.check(ids, move_spam=args.move_spam, on_result=on_result)

    summary = _run(go())
    out = output(args)
    if out.is_default_json:
        emit_json(summary.to_json())
    elif out.format == "table":
        _print_check(summary, desk)
    else:  # records only on stdout
        out.write([summary.results])
    if summary.stopped:
        return EXIT_REMOTE_UNAVAILABLE  # Akismet went away (or throttled) midway
    if summary.results and all(r.message == "no such ping" for r in summary.results):
        return EXIT_BAD_INPUT  # none of the ids is a ping here
    bad = (
        summary.count("error") or summary.count("skipped") or summary.not_checked
    ) or summary.move_problem
    return EXIT_PARTIAL if bad else EXIT_OK


CHECK_FIELDS: Fields[CheckOutcome] = Fields(
    [
        Field("id", attrgetter("ping_id"), cut=False),
        Field("state", attrgetter("state")),
        Field("verdict", attrgetter("verdict")),
        Field("message", attrgetter("message"), flex=True),
        Field("moved", attrgetter("moved")),
        Field("akismet", lambda r: r.label()),
    ],
    table=["id", "akismet", "message"],
    default=["id", "state", "verdict", "message", "moved"],
    to_json=lambda r: r.to_json(),
)


def _print_check(summary: CheckSummary, desk: Desk) -> None:
    shown = [r for r in summary.results if r.state != "checked" or r.is_spam]
    if shown:
        pings = {p.id: p for p in desk.pings([r.ping_id for r in shown])}
        rows = []
        for r in shown:
            p = pings.get(r.ping_id)
            source = (p.source_url or p.author_url) if p else ""
            note = "moved to spam" if r.moved else r.message
            rows.append([r.ping_id, r.label(), source, note])
        table(["ID", "AKISMET", "SOURCE", "NOTE"], rows, flex=2)
    parts = [
        f"{summary.count('spam') + summary.count('discard')} spam"
        + (f" ({summary.count('discard')} worth discarding)" if summary.count("discard") else ""),
        f"{summary.count('ham')} ham",
    ]
    if summary.count("skipped"):
        parts.append(f"{summary.count('skipped')} not sent")
    if summary.count("error"):
        parts.append(f"{summary.count('error')} errors")
    print(f"checked {len(summary.results)} of {summary.requested}: " + ", ".join(parts))
    if summary.moved:
        print(f"moved {len(summary.moved)} to spam (pingdesk undo puts them back)")
    if summary.move_problem:
        print(summary.move_problem)
    if summary.stopped:
        print(f"stopped early: {summary.stopped}; {summary.not_checked} not checked")
    elif summary.cancelled:
        print(f"cancelled: {summary.not_checked} not checked")
    if summary.alert is not None:
        print(f"Akismet alert {summary.alert.code}: {summary.alert.msg}")


def _status(args: argparse.Namespace, svc: AkismetService) -> int:
    async def go() -> AkismetStatus:
        async with svc:
            return await svc.status()

    st = _run(go())
    code = EXIT_OK if st.key_valid else failure_exit(st.failure)
    if args.json:
        emit_json(st.to_json())
        return code
    source = {
        "config": "pingdesk config (akismet.key)",
        "wp-config": "WPCOM_API_KEY in wp-config.php",
        "option": "WordPress option wordpress_api_key",
        "none": "none",
    }[st.key_source]
    valid = {True: "valid", False: "NOT valid", None: "unknown"}[st.key_valid]
    print(f"endpoint:  {st.endpoint}")
    print(f"key:       {source} — {valid}")
    if st.problem:
        print(f"problem:   {st.problem}")
    if st.usage is not None:
        u = st.usage
        throttled = ", THROTTLED" if u.throttled else ""
        print(f"usage:     {u.usage} of {u.limit} calls this month ({u.percentage}%{throttled})")
    elif st.usage_problem:
        print(f"usage:     {st.usage_problem}")
    if st.alert is not None:
        print(f"alert:     {st.alert.code} {st.alert.msg}")
    waiting = f"{st.queued} report(s) waiting for this blog"
    if st.queued_total != st.queued:
        waiting += f", {st.queued_total} in all"
    print(f"queue:     {waiting}")
    if st.last_error:
        print(f"           oldest waits because: {st.last_error}")
    return code


def _retry(args: argparse.Namespace, svc: AkismetService) -> int:
    async def go() -> RetrySummary:
        async with svc:
            return await svc.retry(force=args.force)

    res = _run(go())
    if args.json:
        emit_json(res.to_json())
    else:
        print(f"sent {res.sent} waiting report(s); {res.remaining} still waiting")
        if res.elsewhere:
            print(f"{res.elsewhere} of them are being sent by another pingdesk right now")
        if res.not_due:
            print(f"{res.not_due} wait for Akismet's Retry-After (use --force to send now)")
        if res.message:
            print(res.message, file=sys.stderr)
    # Reports another sender is delivering right now are not this run's failure.
    if res.remaining - res.elsewhere == 0:
        return EXIT_OK
    if res.failure is not None:
        return failure_exit(res.failure)
    return EXIT_PARTIAL


def _run(coro: Any) -> Any:
    # asyncio costs 60-100 ms to import: only the commands that talk to Akismet pay it.
    import asyncio

    return asyncio.run(coro)
