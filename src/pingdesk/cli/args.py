"""Arguments several commands share: which blog (global options), list filters.

Global options are read here and nowhere else; the PINGDESK_* environment and
config.toml are read once by pingdesk.config, and which blog wins is decided by
pingdesk.services.locate (flags, then variables, then profiles, then wp-config.php).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pingdesk.cli.refs import ping_ref
from pingdesk.errors import UsageError

if TYPE_CHECKING:
    from pingdesk.config import Config
    from pingdesk.services.locate import Where
    from pingdesk.wp.pings import PingFilter

if TYPE_CHECKING:
    # What each command module's ``register()`` adds its parsers to.
    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]

STATUS_CHOICES = ["pending", "approved", "spam", "trash", "all"]
CHECK_HELP = (
    "only pings whose stored verification result is this "
    "(linked, mentioned, no-link, gone, http-error, unreachable, refused, not-html)"
)


def add_global_options(parser: argparse.ArgumentParser, *, after_command: bool = False) -> None:
    """Which blog. On the top-level parser they default to None; repeated on every
    subcommand (``after_command``) with no default, so `pingdesk list --db URL` works
    as `pingdesk --db URL list` does (WP-CLI's habit), and a value given after the
    command wins over one given before it."""
    g = parser.add_argument_group("which blog (also PINGDESK_WP_CONFIG, PINGDESK_DB, ...)")
    default = argparse.SUPPRESS if after_command else None
    g.add_argument(
        "--wp-config",
        metavar="PATH",
        default=default,
        help="the blog's wp-config.php (or its folder)",
    )
    g.add_argument("--db", metavar="URL", default=default, help="mysql://... or sqlite:///...")
    g.add_argument("--prefix", default=default, help="table prefix (wp_)")
    g.add_argument(
        "--profile", default=default, help="saved profile (a,b,c: their pings as one queue)"
    )
    g.add_argument(
        "--all-profiles",
        action="store_true",
        default=default if after_command else False,
        help="every saved profile's pings as one queue",
    )
    g.add_argument("--site", default=default, help="multisite: id or domain/path")
    g.add_argument(
        "--network",
        action="store_true",
        default=default if after_command else False,
        help="multisite: every live site's pings as one queue",
    )
    g.add_argument(
        "--url", default=default, help="the site's address, as WP-CLI's (Debian's config-HOST.php)"
    )


def every_subcommand(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The subcommand parsers below ``parser``, nested ones (akismet check) included."""
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                found.append(sub)
                found.extend(every_subcommand(sub))
    return found


def config_of(args: argparse.Namespace) -> Config:
    """config.toml and the environment, read once per command (main reads them first)."""
    if getattr(args, "config", None) is None:
        from pingdesk.config import load_config

        args.config = load_config()
    config: Config = args.config
    return config


def where(args: argparse.Namespace) -> Where:
    from pingdesk.services.locate import Where

    return Where(
        wp_config=args.wp_config,
        db=args.db,
        prefix=args.prefix,
        profile=args.profile,
        site=args.site,
        url=args.url,
    )


def add_filter_args(p: argparse.ArgumentParser, *, default_status: str = "pending") -> None:
    p.add_argument(
        "--status",
        default=default_status,
        choices=STATUS_CHOICES,
        help=f"status view (default {default_status})",
    )
    p.add_argument(
        "--type",
        dest="kind",
        default="all",
        choices=["pingback", "trackback", "webmention", "all"],
        help="kind of ping (default all)",
    )
    p.add_argument("--post", type=int, help="only pings on this post ID")
    p.add_argument("--domain", help="only pings whose source is on this domain (or subdomain)")
    p.add_argument("--self", dest="self_only", action="store_true", help="only self-pings")
    p.add_argument("--search", help="text in the title, source URL, excerpt or IP")
    p.add_argument("--check", help=CHECK_HELP)
    p.add_argument(
        "--akismet",
        metavar="VERDICT",
        help="only pings with this stored Akismet verdict (spam, ham, error, unchecked)",
    )


def ping_filter(args: argparse.Namespace) -> PingFilter:
    from pingdesk.wp.pings import PingFilter

    return PingFilter(
        status=args.status,
        kind=args.kind,
        post_id=args.post,
        domain=args.domain,
        search=args.search,
        self_only=args.self_only,
        check=args.check,
        akismet=args.akismet,
    )


def add_selection_args(p: argparse.ArgumentParser, *, default_status: str = "pending") -> None:
    """Ping IDs, or --all-matching with the list filters."""
    p.add_argument("ids", nargs="*", type=ping_ref, metavar="ID")
    p.add_argument(
        "--all-matching", action="store_true", help="act on every ping the filters match"
    )
    add_filter_args(p, default_status=default_status)


def check_selection(args: argparse.Namespace, command: str) -> None:
    if args.ids and args.all_matching:
        raise UsageError("give ping IDs or --all-matching, not both")
    if not args.ids and not args.all_matching:
        raise UsageError(f"{command}: give ping IDs, or --all-matching with list filters")
