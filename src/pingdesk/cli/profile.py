"""`pingdesk profile add | list | remove | default`: saved ways to reach a blog.

A profile is what ``--profile NAME`` (or PINGDESK_PROFILE, or ``default_profile``)
stands for: a wp-config.php or a database URL, with an optional table prefix,
multisite site, site address (``--url``) and the variable holding the password.
``add`` takes the blog options every command takes (``--wp-config`` / ``--db``,
``--prefix``, ``--site``, ``--url``) and, unless ``--no-check``, connects first, so
a saved profile is one that worked. config.toml is edited in place (comments
kept) and stays 0600.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pingdesk.cli.args import config_of
from pingdesk.cli.output import emit_json, table
from pingdesk.errors import EXIT_OK, ConfigError, NotFound, PingdeskError, UsageError

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.config import Config, Profile

FORMATS = ["table", "json", "csv"]


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "profile",
        help="save, list and remove profiles (named blogs for --profile)",
        description="Profiles name a blog for --profile NAME, PINGDESK_PROFILE or the default. "
        "They live in config.toml, which pingdesk edits keeping your comments.",
    )
    actions = p.add_subparsers(dest="profile_action", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add",
        help="save a profile (checks that it connects)",
        description="Save a profile from the blog options: --wp-config PATH or --db URL, "
        "with --prefix, --site and --url as for any command. It is checked by connecting "
        "unless --no-check. An existing profile of that name is replaced only with --force.",
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument(
        "--password-env",
        metavar="VAR",
        help="take the database password from this environment variable when used",
    )
    add.add_argument("--default", action="store_true", help="make it the default profile")
    add.add_argument("--no-check", action="store_true", help="save without connecting first")
    add.add_argument("--force", action="store_true", help="replace a profile of that name")
    add.set_defaults(func=cmd_add)

    lst = actions.add_parser("list", help="list the saved profiles (never their passwords)")
    lst.add_argument("--format", choices=FORMATS, default="table")
    lst.add_argument("--json", action="store_const", const="json", dest="format")
    lst.set_defaults(func=cmd_list)

    rm = actions.add_parser("remove", help="remove a saved profile")
    rm.add_argument("name", metavar="NAME")
    rm.set_defaults(func=cmd_remove)

    dflt = actions.add_parser(
        "default",
        help="show, set or clear the default profile",
        description="With NAME, make it the default profile; with --none, have no default; "
        "with neither, print the default.",
    )
    g = dflt.add_mutually_exclusive_group()
    g.add_argument("name", metavar="NAME", nargs="?")
    g.add_argument("--none", action="store_true", help="have no default profile")
    dflt.set_defaults(func=cmd_default)


# --------------------------------------------------------------------------- add


def _db_password(url: str) -> str | None:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).password if "://" in url else None
    except ValueError:
        return None


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    user, _, host = parts.netloc.rpartition("@")
    user = user.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))


def _absolute_db(db: str, cwd: Path) -> str:
    """A SQLite path made absolute, so the profile works from any folder."""
    from pingdesk.wp.connect import parse_db_url

    url = parse_db_url(db, cwd=cwd)  # also refuses postgres:// and friends, with --no-check
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{Path(str(url.database)).resolve()}"
    return db


def _profile_from(args: argparse.Namespace) -> Profile:
    from pingdesk.config import Profile

    if getattr(args, "profile", None):
        raise UsageError("profile add: --profile names a profile to use; give the new one as NAME")
    wp_config, db = args.wp_config, args.db
    if bool(wp_config) == bool(db):
        raise UsageError("profile add: give --wp-config PATH or --db URL (one of them)")
    cwd = Path.cwd()
    if wp_config:
        from pingdesk.wp.connect import wp_config_path

        wp_config = str(wp_config_path(wp_config, cwd))
        if not Path(wp_config).is_file():
            raise ConfigError(f"{wp_config}: no such file")
    password_env = (args.password_env or "").strip() or None
    if db:
        db = _absolute_db(db.strip(), cwd)
        if _db_password(db) and password_env:
            db = _without_password(db)  # $VAR supplies it; keep it out of the file
    return Profile(
        wp_config=wp_config,
        db=db,
        prefix=(args.prefix or "").strip() or None,
        password_env=password_env,
        site=(args.site or "").strip() or None,
        url=(args.url or "").strip() or None,
    )


def _check(name: str, prof: Profile, config: Config) -> str:
    """Connect as the profile would; returns where it leads. Raises with the reason."""
    from dataclasses import replace

    from pingdesk.services.locate import resolve_target
    from pingdesk.wp.connect import connect

    trial = replace(config, profiles={**config.profiles, name: prof})
    target = resolve_target(profile=name, config=trial)
    blog = connect(target)
    try:
        return blog.label + (f" (prefix {blog.tables.prefix})" if blog.tables.prefix else "")
    finally:
        blog.engine.dispose()


def cmd_add(args: argparse.Namespace) -> int:
    from pingdesk.config import PROFILE_NAME_RE, config_path, save_profile

    name = args.name.strip()
    if not PROFILE_NAME_RE.match(name):
        raise UsageError(
            f"invalid profile name {name!r}: use letters, digits, '.', '-' and '_' (up to 64)"
        )
    config = config_of(args)
    if name in config.profiles and not args.force:
        raise UsageError(f"profile {name!r} exists; pass --force to replace it")
    prof = _profile_from(args)
    checked = None
    if not args.no_check:
        try:
            checked = _check(name, prof, config)
        except PingdeskError as exc:
            exc.message = f"profile {name!r} not saved: {exc.message} (--no-check saves it anyway)"
            raise
    path = save_profile(name, prof, default=args.default, path=config.path or config_path())
    what = prof.wp_config or _redacted(prof.db or "")
    print(f"saved profile {name!r}: {what}" + (f" → {checked}" if checked else ""))
    if args.default:
        print(f"{name!r} is the default profile")
    if prof.db and _db_password(prof.db):
        print(
            f"pingdesk: warning: the URL's password is saved in {path} (readable only by you); "
            "--password-env VAR keeps it out of the file",
            file=sys.stderr,
        )
    return EXIT_OK


# --------------------------------------------------------------------------- list


def _redacted(url: str) -> str:
    return _without_password(url) if _db_password(url) else url


def cmd_list(args: argparse.Namespace) -> int:
    config = config_of(args)
    rows = []
    for name in sorted(config.profiles):
        prof = config.profiles[name]
        rows.append(
            {
                "name": name,
                "default": name == config.default_profile,
                "wp_config": prof.wp_config,
                "db": _redacted(prof.db) if prof.db else None,
                "prefix": prof.prefix,
                "site": prof.site,
                "url": prof.url,
                "password_env": prof.password_env,
                # Whether a password is kept in the file (never the password itself).
                "password_saved": bool(prof.password or (prof.db and _db_password(prof.db))),
            }
        )
    if args.format == "json":
        emit_json(rows)
    elif args.format == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(list(rows[0]) if rows else ["name"])
        for r in rows:
            writer.writerow([_csv_cell(v) for v in r.values()])
    elif not rows:
        where = config.path or "config.toml"
        print(f"no profiles saved in {where} (pingdesk profile add NAME --wp-config PATH)")
    else:
        table(
            ["NAME", "DEFAULT", "BLOG", "PREFIX", "SITE", "PASSWORD"],
            [
                [
                    r["name"],
                    "*" if r["default"] else "",
                    r["wp_config"] or r["db"],
                    r["prefix"] or "",
                    r["site"] or r["url"] or "",
                    f"${r['password_env']}"
                    if r["password_env"]
                    else ("in config.toml" if r["password_saved"] else ""),
                ]
                for r in rows
            ],
            flex=2,
        )
    return EXIT_OK


def _csv_cell(value: object) -> str:
    from pingdesk.textsafe import clean

    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else clean(value)


# --------------------------------------------------------------------------- remove, default


def _known(config: Config) -> str:
    return ", ".join(sorted(config.profiles)) or "none saved"


def cmd_remove(args: argparse.Namespace) -> int:
    from pingdesk.config import config_path, delete_profile

    config = config_of(args)
    path = config.path or config_path()
    name = args.name
    if not delete_profile(name, path=path):
        raise NotFound(f"no profile {name!r} in {path} (profiles: {_known(config)})")
    print(f"removed profile {name!r}")
    if config.default_profile == name:
        print("it was the default; there is no default profile now")
    return EXIT_OK


def cmd_default(args: argparse.Namespace) -> int:
    from pingdesk.config import config_path, set_default_profile

    config = config_of(args)
    path = config.path or config_path()
    if args.none:
        set_default_profile(None, path=path)
        print("no default profile")
    elif args.name:
        if args.name not in config.profiles:
            raise NotFound(f"no profile {args.name!r} in {path} (profiles: {_known(config)})")
        set_default_profile(args.name, path=path)
        print(f"{args.name!r} is the default profile")
    else:
        print(config.default_profile or "no default profile")
    return EXIT_OK
