"""The CLI's command handlers: parse nothing, print results of ops.Desk calls."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pingdesk.cli.output import Progress, age, emit_json, table
from pingdesk.errors import EXIT_OK, EXIT_PARTIAL, PingdeskError
from pingdesk.ops import Desk
from pingdesk.textsafe import clean, html_text
from pingdesk.wp.closing import SETTING_HELP, PostFilter, parse_age
from pingdesk.wp.moderation import ModerationResult
from pingdesk.wp.pings import Ping, PingFilter

PAST = {
    "approve": "approved",
    "unapprove": "unapproved",
    "spam": "marked as spam",
    "unspam": "restored from spam",
    "trash": "moved to the trash",
    "untrash": "restored from the trash",
    "delete": "deleted permanently",
}


def extra_commands() -> list[Callable[[Any], None]]:
    """Subcommands contributed by the verification and Akismet modules, when present."""
    found: list[Callable[[Any], None]] = []
    for mod in ("pingdesk.cli.verify_cmd", "pingdesk.cli.akismet_cmd"):
        try:
            module = __import__(mod, fromlist=["add_parser"])
        except ImportError:
            continue
        found.append(module.add_parser)
    return found


@contextmanager
def open_desk(args: argparse.Namespace, *, reporting: bool = True) -> Iterator[Desk]:
    """Connect as the global options say. ``reporting`` hooks Akismet reporting in
    (it costs the HTTP stack's import time, so read-only commands skip it)."""
    from pingdesk.config import journal_path, load_config
    from pingdesk.journal import Journal
    from pingdesk.wp.connect import connect, resolve_target

    config = load_config()
    args.config = config
    target = resolve_target(
        wp_config=args.wp_config,
        db=args.db,
        prefix=args.prefix,
        profile=args.profile,
        site=args.site,
        config=config,
    )
    blog = connect(target)
    journal = Journal(journal_path())
    desk = Desk(blog, journal, moderator=config.moderator.login or "")
    args.akismet_hook = _install_hooks(desk, config) if reporting else None
    try:
        yield desk
    finally:
        journal.close()
        blog.engine.dispose()


def _install_hooks(desk: Desk, config: Any) -> Any:
    """Akismet reporting of spam / not-spam, as wp-admin's plugin reports them."""
    from pingdesk.spam_service import install_reporting

    return install_reporting(desk, config)


def _akismet_outcomes(args: argparse.Namespace) -> list[Any]:
    hook = getattr(args, "akismet_hook", None)
    return list(getattr(hook, "last", []) or [])


def ping_filter(args: argparse.Namespace) -> PingFilter:
    return PingFilter(
        status=args.status,
        kind=args.kind,
        post_id=args.post,
        domain=args.domain,
        search=args.search,
        self_only=args.self_only,
        check=getattr(args, "check", None),
    )


def _ping_rows(pings: list[Ping], checks: dict[int, Any]) -> list[list[object]]:
    return [
        [
            p.id,
            p.kind,
            p.status_name,
            p.domain or "-",
            p.author,
            f"#{p.post_id} {p.post_title}",
            age(p.date_gmt),
            "self" if p.is_self else "",
            checks[p.id].result if p.id in checks else "",
        ]
        for p in pings
    ]


def _ping_json(p: Ping, checks: dict[int, Any]) -> dict[str, Any]:
    result = checks.get(p.id)
    return p.to_json() | {
        "check": result.result if result else None,
        "checked_at": result.checked_at if result else None,
    }


def cmd_list(args: argparse.Namespace) -> int:
    flt = ping_filter(args)
    with open_desk(args, reporting=False) as desk:
        if args.limit and args.limit > 0:
            items = desk.page(flt, limit=args.limit).pings
        else:
            from pingdesk.wp.pings import iter_pings

            items = list(iter_pings(desk.blog, flt))
        from pingdesk.wp.checks import load_results

        checks = load_results(desk.blog, [p.id for p in items])
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
    from pingdesk.wp.akismet_meta import read_akismet_info
    from pingdesk.wp.checks import META_KEY as CHECK_META_KEY
    from pingdesk.wp.checks import load_results

    with open_desk(args, reporting=False) as desk:
        p = desk.ping(args.id)
        history = desk.history(p.id)
        check = load_results(desk.blog, [p.id]).get(p.id)
        akismet = read_akismet_info(desk.blog, [p.id]).get(p.id)
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
        from pingdesk.net.verify import detail_lines

        for line in detail_lines(check):
            print(clean(line))
        if akismet and (akismet.result or akismet.history):
            print(
                f"Akismet:     {clean(akismet.result or '-')}"
                + (f" (moderator said {clean(akismet.user_result)})" if akismet.user_result else "")
            )
            for h in akismet.history:
                print(f"  {h.when:%Y-%m-%d %H:%M}  {clean(h.describe())}")
        shown = {CHECK_META_KEY}
        meta = {k: v for k, v in p.meta.items() if k not in shown and not k.startswith("akismet_")}
        if meta:
            print("Meta:")
            for k, values in meta.items():
                for v in values:
                    print(f"  {clean(k)} = {clean(v, max_len=200)}")
        if history:
            print("pingdesk history:")
            for e, it in history:
                print(
                    f"  {e.at}  {e.action:<10} {it.before.get('status')} -> "
                    f"{it.after.get('status') or 'deleted'}"
                )
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


def _akismet_line(outcomes: list[Any]) -> str | None:
    if not outcomes:
        return None
    by_state: dict[str, int] = {}
    for o in outcomes:
        by_state[o.state] = by_state.get(o.state, 0) + 1
    words = {
        "sent": "reported to Akismet",
        "queued": "waiting to be reported (pingdesk akismet retry)",
        "recorded": "recorded without an Akismet key",
        "skipped": "not reported",
    }
    return "; ".join(f"{n} {words.get(k, k)}" for k, n in by_state.items())


def report_moderation(
    res: ModerationResult, *, as_json: bool, akismet: list[Any] | None = None
) -> int:
    akismet = akismet or []
    if as_json:
        data = _result_json(res)
        if akismet:
            data["akismet"] = [o.to_json() for o in akismet]
        emit_json(data)
    else:
        n = len(res.changed)
        what = PAST.get(res.action, res.action)
        msg = f"{n} ping{'s' if n != 1 else ''} {what}"
        if res.journal_id and n:
            msg += " (undo: pingdesk undo)"
        print(msg)
        for c in res.conflicts:
            print(f"conflict: {c.describe()} — changed by someone else, left alone")
        for i, reason in res.skipped:
            print(f"skipped #{i}: {reason}")
        line = _akismet_line(akismet)
        if line:
            print(line)
        for o in akismet:
            if o.state in ("queued", "skipped") and o.message:
                print(f"  #{o.ping_id}: {clean(o.message)}")
    return EXIT_OK if not res.conflicts and not res.skipped and not res.cancelled else EXIT_PARTIAL


def cmd_moderate(args: argparse.Namespace) -> int:
    if args.ids and args.all_matching:
        raise PingdeskError("give ping IDs or --all-matching, not both")
    if not args.ids and not args.all_matching:
        raise PingdeskError(f"{args.action}: give ping IDs, or --all-matching with list filters")
    with open_desk(args) as desk:
        if args.all_matching:
            from pingdesk.wp.pings import iter_pings

            seen: dict[int, str] | list[int] = {
                p.id: p.status for p in iter_pings(desk.blog, ping_filter(args))
            }
        else:
            seen = list(args.ids)
        if args.dry_run:
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
                    f"would have {PAST[args.action]} {len(would)} ping(s)"
                    + (f": {', '.join(map(str, would[:30]))}" if would else "")
                )
                if len(would) > 30:
                    print(f"... and {len(would) - 30} more")
                for i in missing:
                    print(f"not a ping on this blog: #{i}")
            return EXIT_OK
        res = desk.act(args.action, seen, progress=Progress(PAST[args.action]))
        return report_moderation(res, as_json=args.json, akismet=_akismet_outcomes(args))


def _post_filter(args: argparse.Namespace) -> PostFilter:
    return PostFilter(
        older_than=parse_age(args.older_than) if args.older_than else None,
        post_types=tuple(args.post_type),
        post_statuses=tuple(args.post_status),
        post_ids=tuple(args.post),
    )


def cmd_close(args: argparse.Namespace) -> int:
    flt = _post_filter(args)
    verb = "closed" if args.close else "opened"
    with open_desk(args) as desk:
        res = desk.set_ping_status(
            flt, close=args.close, dry_run=args.dry_run, progress=Progress(f"{verb[:-1]}ing")
        )
        if args.json:
            emit_json(res.to_json())
        elif args.dry_run:
            print(f"would have {verb} pings on {res.matched} post(s)")
            table(["ID", "TITLE"], [[i, t] for i, t in res.sample], flex=1)
            if res.matched > len(res.sample):
                print(f"... and {res.matched - len(res.sample)} more")
        else:
            print(
                f"pings {verb} on {res.changed} post(s)"
                + (" (undo: pingdesk undo)" if res.changed else "")
            )
            if res.conflicts:
                print(f"{res.conflicts} post(s) changed meanwhile and were left alone")
    return EXIT_PARTIAL if res.conflicts or res.cancelled else EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    with open_desk(args) as desk:
        changes: dict[str, tuple[str, str]] = {}
        if args.new_posts_pings or args.send_pingbacks:
            changes = desk.set_settings(
                new_posts_pings=args.new_posts_pings,
                send_pingbacks=None if args.send_pingbacks is None else args.send_pingbacks == "on",
            )
        s = desk.settings()
        effective = desk.effective_ping_status(args.post) if args.post else None
        if args.json:
            data = s.to_json() | {"changed": sorted(changes)}
            if effective:
                data["post"] = {
                    "id": args.post,
                    "ping_status": effective[0],
                    "effective": effective[1],
                }
            emit_json(data)
            return EXIT_OK
        print(f"Pings on new posts:  {s.new_posts_pings:<7} {SETTING_HELP['default_ping_status']}")
        print(
            f"Send pingbacks:      {'on' if s.send_pingbacks else 'off':<7} "
            f"{SETTING_HELP['default_pingback_flag']}"
        )
        if s.close_comments_for_old_posts:
            print(
                f"Old posts:           pings close after {s.close_comments_days_old} days "
                "(close_comments_for_old_posts; posts only)"
            )
        if effective:
            print(f"Post #{args.post}:  ping_status {effective[0]}, effectively {effective[1]}")
        for name in changes:
            print(f"changed {name} (undo: pingdesk undo)")
    return EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    with open_desk(args) as desk:
        res = desk.undo()
        akismet = _akismet_outcomes(args)
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
                    "akismet": [o.to_json() for o in akismet],
                }
            )
        else:
            print(f"undid {res.undone_action} #{res.undone_id}: {len(res.restored)} restored")
            for c in res.conflicts:
                print(f"conflict: {c.describe()} — changed since, left alone")
            line = _akismet_line(akismet)
            if line:
                print(line)
    return EXIT_PARTIAL if res.conflicts else EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    with open_desk(args, reporting=False) as desk:
        entries = desk.entries(args.limit)
        if args.json:
            emit_json([e.to_json() for e in entries])
        elif not entries:
            print("no actions journaled for this blog yet")
        else:
            rows: list[list[object]] = [
                [
                    e.id,
                    e.at,
                    e.action,
                    e.state,
                    ", ".join(f"{k} {v}" for k, v in e.summary.items() if v and k != "posts"),
                ]
                for e in entries
            ]
            table(["ID", "WHEN (UTC)", "ACTION", "STATE", "SUMMARY"], rows, flex=4)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    with open_desk(args) as desk:
        restored = desk.restore(args.id)
        if args.json:
            emit_json({"restored": restored})
        else:
            print(f"restored ping #{args.id} with its meta")
    return EXIT_OK


def cmd_sites(args: argparse.Namespace) -> int:
    from pingdesk.wp.connect import list_sites

    args.site = None  # list the whole network from its main site
    with open_desk(args, reporting=False) as desk:
        sites = list_sites(desk.blog)
    if args.json:
        emit_json(
            [
                {
                    "id": s.blog_id,
                    "domain": s.domain,
                    "path": s.path,
                    "prefix": s.prefix,
                    "name": s.name,
                    "home": s.home,
                }
                for s in sites
            ]
        )
    elif not sites:
        print("not a multisite network: one site only")
    else:
        table(
            ["ID", "DOMAIN", "PATH", "PREFIX", "NAME"],
            [[s.blog_id, s.domain, s.path, s.prefix, s.name or ""] for s in sites],
            flex=4,
        )
    return EXIT_OK


def cmd_index(args: argparse.Namespace) -> int:
    from pingdesk.wp import tuning

    with open_desk(args, reporting=False) as desk:
        changed = False
        if args.add:
            changed = tuning.add_index(desk.blog)
        elif args.drop:
            changed = tuning.drop_index(desk.blog)
        present = tuning.has_index(desk.blog)
        if args.json:
            emit_json({"index": tuning.INDEX_NAME, "present": present, "changed": changed})
        else:
            state = "present" if present else "absent"
            note = " (changed)" if changed else ""
            print(f"index {tuning.INDEX_NAME} on {desk.blog.tables.comments.name}: {state}{note}")
    return EXIT_OK


def _switch_targets(args: argparse.Namespace, desk: Desk) -> list[Any]:
    """Other blogs the TUI's "switch site" offers: this network's sites and saved profiles.

    Each entry connects lazily (in the UI's worker thread) and shares this journal.
    """
    from pingdesk.tui.services import Site as SwitchSite
    from pingdesk.wp.connect import connect, list_sites, resolve_target

    config = args.config

    def opener(**where: Any) -> Callable[[], Desk]:
        def open_() -> Desk:
            target = resolve_target(config=config, **where)
            other = Desk(connect(target), desk.journal, moderator=desk.moderator)
            _install_hooks(other, config)
            return other

        return open_

    found: list[Any] = []
    try:
        sites = list_sites(desk.blog)
    except PingdeskError:
        sites = []
    base = {
        "wp_config": args.wp_config,
        "db": args.db,
        "prefix": args.prefix,
        "profile": args.profile,
    }
    for site in sites:
        if site.blog_id == desk.blog.site_id or (desk.blog.site_id is None and site.blog_id == 1):
            continue
        found.append(
            SwitchSite(
                f"site {site.blog_id}: {clean(site.address)}",
                opener(**base, site=str(site.blog_id)),
            )
        )
    for name in sorted(config.profiles):
        if name == args.profile:
            continue
        found.append(SwitchSite(f"profile {clean(name)}", opener(profile=name)))
    return found


def cmd_ui(args: argparse.Namespace) -> int:
    from pingdesk.tui.app import default_services, run_tui

    with open_desk(args) as desk:
        return run_tui(
            desk, services=default_services(args.config), sites=_switch_targets(args, desk)
        )


def cmd_demo(args: argparse.Namespace) -> int:
    from pingdesk import demo

    with demo.open_demo(reset=args.reset, services=not args.no_ui) as session:
        if args.no_ui:
            print(session.desk.blog.label)
            return EXIT_OK
        from pingdesk.spam_service import install_reporting
        from pingdesk.tui.app import default_services, run_tui

        install_reporting(session.desk, session.config)
        services = default_services(session.config)
        services.verify = session.verify_service
        return run_tui(session.desk, services=services)
