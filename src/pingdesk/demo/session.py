"""``pingdesk demo``: the demo blog opened, with its offline look-alike servers.

The source pages (pingdesk.demo.sources) and the Akismet look-alike
(pingdesk.demo.akismet) run on 127.0.0.1 while the session is open, so
verifying (v, V), spam / not spam (s, z) and Akismet checks (K) all work with
no network and no Akismet account.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace

from pingdesk.config import AkismetConfig, Config, journal_path
from pingdesk.demo.akismet import DEMO_KEY, DemoAkismet
from pingdesk.demo.blog import PREFIX, ensure
from pingdesk.demo.sources import start_demo_sources_for
from pingdesk.services.desk import Desk
from pingdesk.services.locate import resolve_target
from pingdesk.services.reporting import reporting_for
from pingdesk.services.verify import VerifySettings
from pingdesk.store.journal import Journal
from pingdesk.wp.connect import connect


@dataclass
class DemoSession:
    """The demo blog opened, with its loopback source server and Akismet look-alike."""

    desk: Desk
    config: Config
    # Verification bound to the demo's source server (None without services).
    verify_settings: VerifySettings | None = None


@dataclass
class Lookalikes:
    """The demo's offline services, running: the config that points Akismet at the
    look-alike, and verification bound to the demo's source server."""

    config: Config
    verify_settings: VerifySettings


@contextmanager
def lookalikes(desk: Desk, config: Config) -> Iterator[Lookalikes]:
    """Start the demo blog's source pages and Akismet look-alike on 127.0.0.1 and
    hook Akismet reporting to them (stopped on exit). Cheap: two threads, two ports."""
    with ExitStack() as stack:
        akismet = DemoAkismet().start()
        stack.callback(akismet.stop)
        # The demo's own key and endpoint, whatever the user's config says.
        demo_config = replace(
            config,
            akismet=AkismetConfig(key=DEMO_KEY, endpoint=akismet.url),
            env=replace(config.env, akismet_endpoint=None),
        )
        server, verify_settings = start_demo_sources_for(desk.blog, config)
        stack.callback(server.stop)
        desk.reporting = reporting_for(desk.blog, demo_config, desk.moderator)
        yield Lookalikes(demo_config, verify_settings)


@contextmanager
def open_demo(
    config: Config, *, reset: bool = False, services: bool = True
) -> Iterator[DemoSession]:
    """Open the demo blog; with ``services``, also start its offline source pages and
    Akismet service (both on 127.0.0.1, stopped on exit)."""
    path = ensure(reset=reset)
    target = resolve_target(db=f"sqlite:///{path}", prefix=PREFIX, env={})
    blog = connect(target)
    journal = Journal(journal_path())
    stack = ExitStack()
    stack.callback(journal.close)
    desk = Desk(blog, journal, moderator=config.moderator.login or "admin")
    stack.callback(desk.close)
    session = DemoSession(desk, config)
    try:
        if services:
            running = stack.enter_context(lookalikes(desk, config))
            session.config = running.config
            session.verify_settings = running.verify_settings
        desk.reconcile()
        yield session
    finally:
        stack.close()
