"""Which blog: from the command line, the PINGDESK_* environment, saved profiles and
wp-config.php discovery to a database address (``pingdesk.wp.connect.Target``).

One documented precedence, used by every front end:

1. ``--db`` / ``--wp-config``, then ``--profile`` (flags);
2. ``PINGDESK_DB``, ``PINGDESK_WP_CONFIG``, ``PINGDESK_PROFILE`` (variables);
3. config.toml's ``default_profile``;
4. a wp-config.php found by walking up from the current folder, as WP-CLI does.

A flag of any kind beats a variable of another kind (``--profile blog`` wins over
``PINGDESK_DB``). ``--prefix`` / ``--site`` beat ``PINGDESK_PREFIX`` /
``PINGDESK_SITE``, which beat the profile's, which beat wp-config.php's
``$table_prefix`` (and ``wp_``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pingdesk.config import Config, Environment, Profile, load_config
from pingdesk.errors import ConfigError, PingdeskError, UsageError
from pingdesk.services.desk import Desk
from pingdesk.services.reporting import reporting_for
from pingdesk.store.journal import Journal
from pingdesk.textsafe import clean
from pingdesk.wp.connect import (
    Target,
    connect,
    list_sites,
    target_from_db,
    target_from_wp_config,
    with_password,
    wp_config_path,
)
from pingdesk.wp.schema import validate_prefix
from pingdesk.wp.wpconfig import find_wp_config

if TYPE_CHECKING:
    from pingdesk.wp.blog import Blog
    from pingdesk.wp.moderation import Reporting

NOT_FOUND_MESSAGE = (
    "no WordPress found: pass --wp-config PATH or --db URL (or run inside a WordPress folder)"
)


@dataclass(frozen=True)
class Where:
    """What the command line said about which blog (None: not given)."""

    wp_config: str | None = None
    db: str | None = None
    prefix: str | None = None
    profile: str | None = None
    site: str | None = None
    url: str | None = None


def _target_from_profile(
    name: str, prof: Profile, env: Mapping[str, str], cwd: Path, url: str | None
) -> Target:
    source = f"profile {name!r}"
    if prof.db:
        target = target_from_db(prof.db, cwd, source)
    else:
        assert prof.wp_config is not None
        path = wp_config_path(prof.wp_config, cwd)
        target = target_from_wp_config(path, env, source, site_url=url or prof.url)
    password = prof.password
    if prof.password_env:
        password = env.get(prof.password_env)
        if password is None:
            raise ConfigError(
                f"profile {name!r} takes its password from ${prof.password_env}, which is not set"
            )
    target.url = with_password(target.url, password)
    return target


def resolve_target(
    *,
    wp_config: str | None = None,
    db: str | None = None,
    prefix: str | None = None,
    profile: str | None = None,
    site: str | None = None,
    url: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    config: Config | None = None,
) -> Target:
    """Decide which database to open, without opening it (see the module docstring).

    ``env`` is the process environment: its PINGDESK_* variables (unless ``config``
    already carries them and ``env`` is not given), the variables a profile's
    ``password_env`` names, and what ``getenv()`` in wp-config.php sees.

    ``url`` (``--url``, then PINGDESK_URL, then the profile's) is the site's address
    as WP-CLI takes it: it picks Debian's /etc/wordpress/config-<host>.php and, on a
    multisite network when no ``site`` is given, the site.
    """
    here = (cwd or Path.cwd()).absolute()
    environ: Mapping[str, str] = os.environ if env is None else env
    pd_env = Environment.read(env) if env is not None or config is None else config.env
    wp_config = (wp_config or "").strip() or None
    db = (db or "").strip() or None
    profile = (profile or "").strip() or None
    url = (url or "").strip() or pd_env.url
    if wp_config and db:
        raise UsageError("pass either --db or --wp-config, not both")
    if profile and (wp_config or db):
        raise UsageError("pass either --profile or --db/--wp-config, not both")

    cfg_cache: list[Config] = [config] if config is not None else []

    def cfg() -> Config:
        # Only read config.toml when a profile is needed: a broken file must not
        # stop --db or --wp-config from working.
        if not cfg_cache:
            cfg_cache.append(load_config(environ=environ))
        return cfg_cache[0]

    prof: Profile | None = None
    if db:
        target = target_from_db(db, here, "--db")
    elif wp_config:
        path = wp_config_path(wp_config, here)
        target = target_from_wp_config(path, environ, "--wp-config", site_url=url)
    elif profile:
        prof = cfg().profile(profile)
        target = _target_from_profile(profile, prof, environ, here, url)
    elif pd_env.db:
        target = target_from_db(pd_env.db, here, "$PINGDESK_DB")
    elif pd_env.wp_config:
        path = wp_config_path(pd_env.wp_config, here)
        target = target_from_wp_config(path, environ, "$PINGDESK_WP_CONFIG", site_url=url)
    elif pd_env.profile:
        prof = cfg().profile(pd_env.profile)
        target = _target_from_profile(pd_env.profile, prof, environ, here, url)
    elif cfg().default_profile:
        name = cfg().default_profile or ""
        prof = cfg().profile(name)
        target = _target_from_profile(name, prof, environ, here, url)
    else:
        found = find_wp_config(here)
        if found is None:
            raise ConfigError(NOT_FOUND_MESSAGE)
        target = target_from_wp_config(found, environ, f"found {found}", site_url=url)

    chosen_prefix = prefix or pd_env.prefix or (prof.prefix if prof else None)
    if chosen_prefix:
        target.prefix = chosen_prefix
    validate_prefix(target.prefix)
    target.site = (site or "").strip() or pd_env.site or (prof.site if prof else None) or None
    site_url = url or (prof.url if prof else None)
    if target.site is None and target.multisite and site_url:
        # WP-CLI's --url also says which site of a network (domain/path).
        target.site = site_url
    return target


def locate(where: Where, config: Config, *, cwd: Path | None = None) -> Target:
    """``resolve_target`` for a front end that has read the config (and environment) once."""
    return resolve_target(
        wp_config=where.wp_config,
        db=where.db,
        prefix=where.prefix,
        profile=where.profile,
        site=where.site,
        url=where.url,
        config=config,
        cwd=cwd,
    )


# --------------------------------------------------------------------------- opening


def open_desk(where: Where, config: Config, journal: Journal, *, reporting: bool = True) -> Desk:
    """Connect to the blog ``where`` names and set a Desk on it.

    Actions an earlier pingdesk left unresolved on this blog are settled first
    (``desk.settled`` says which). ``reporting`` adds Akismet beside every status
    change, as wp-admin's plugin does (its trail, reports staged in the outbox);
    read-only commands leave it out.
    """
    blog = connect(locate(where, config))
    login = config.moderator.login or ""
    desk = Desk(blog, journal, moderator=login)
    if reporting:
        desk.reporting = reporting_for(blog, config, login or None)
    desk.reconcile()
    return desk


# How long several blogs opened together wait for the slowest before going on without it.
OPEN_WAIT = 3.0


def profile_names(where: Where, config: Config, *, all_profiles: bool = False) -> list[str]:
    """The saved profiles one queue takes: ``--all-profiles``, or ``--profile a,b,c``;
    [] for one blog."""
    if all_profiles:
        if not config.profiles:
            raise ConfigError("--all-profiles: no profiles saved (pingdesk profile add NAME …)")
        return sorted(config.profiles)
    names = [n.strip() for n in (where.profile or "").split(",") if n.strip()]
    if len(names) <= 1:
        return []
    for name in names:
        config.profile(name)  # unknown names fail here, before anything is opened
    return list(dict.fromkeys(names))


def open_queue(
    where: Where,
    config: Config,
    journal: Journal,
    *,
    reporting: bool = True,
    network: bool = False,
    all_profiles: bool = False,
) -> Desk:
    """The Desk a front end works on: one blog, every live site of its network
    (``network``), or several profiles as one queue (a Fleet, services.fleet)."""
    from pingdesk.services import fleet

    login = config.moderator.login or ""

    def report(blog: Blog) -> Reporting:
        return reporting_for(blog, config, login or None)

    names = profile_names(where, config, all_profiles=all_profiles)
    if names:
        if network:
            raise UsageError("--network takes one blog's network, not several profiles")
        return _open_profiles(names, where, config, journal, reporting=reporting)
    if network:
        if where.site:
            raise UsageError("--network shows every site; leave out --site")
        main = open_desk(where, config, journal, reporting=False)
        try:
            return fleet.network_fleet(main, make_reporting=report if reporting else None)
        except BaseException:
            main.close()
            raise
    return open_desk(where, config, journal, reporting=reporting)


def _open_profiles(
    names: list[str], where: Where, config: Config, journal: Journal, *, reporting: bool
) -> Desk:
    """Each profile opened at once in its own thread: one that cannot be reached
    (a server down, a wrong password) is kept with its error, and one that does not
    answer within ``OPEN_WAIT`` seconds (a host that swallows packets) is left out
    as such rather than hold up the others for the driver's whole connect timeout."""
    import threading
    import time

    from pingdesk.services import fleet

    results: dict[str, tuple[str, Desk | None, str | None]] = {}
    lock = threading.Lock()

    def one(name: str) -> None:
        try:
            got: tuple[str, Desk | None, str | None] = (
                name,
                open_desk(Where(profile=name), config, journal, reporting=reporting),
                None,
            )
        except PingdeskError as exc:
            got = (name, None, exc.message)
        with lock:
            late = name not in wanted
            results[name] = got
        if late and got[1] is not None:
            got[1].close()  # whenever it does answer, nobody wants it any more

    wanted = set(names)
    # Daemon threads: a host that never answers must not keep pingdesk from exiting.
    threads = [threading.Thread(target=one, args=(n,), daemon=True) for n in names]
    for t in threads:
        t.start()
    deadline = time.monotonic() + OPEN_WAIT
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    opened = []
    with lock:
        for name in names:
            if name in results:
                opened.append(results[name])
            else:
                wanted.discard(name)
                opened.append((name, None, f"no answer within {OPEN_WAIT:g} s"))
    return fleet.blogs_fleet(opened, journal, moderator=config.moderator.login or "")


@dataclass(frozen=True)
class OtherBlog:
    """Another blog the moderator can switch to: a network site or a saved profile."""

    name: str
    where: Where


def other_blogs(desk: Desk, where: Where, config: Config) -> list[OtherBlog]:
    """This network's other sites, then the saved profiles other than the one in use."""
    try:
        # Named by address only: a name would cost a query per site of the network
        # before the first screen (1.8 s on 1,000 sites).
        sites = list_sites(desk.blog, options=False)
    except PingdeskError:
        sites = []
    current = desk.blog.site_id
    found: list[OtherBlog] = []
    for site in sites:
        if site.blog_id == current or (current is None and site.blog_id == 1):
            continue
        found.append(
            OtherBlog(
                f"site {site.blog_id}: {clean(site.address)}",
                replace(where, site=str(site.blog_id)),
            )
        )
    for name in sorted(config.profiles):
        if name == where.profile:
            continue
        found.append(OtherBlog(f"profile {clean(name)}", Where(profile=name)))
    return found
