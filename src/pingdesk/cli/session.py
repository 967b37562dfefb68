"""Opening the blog the global options name, for one command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pingdesk.cli.args import config_of, where
from pingdesk.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from pingdesk.services.desk import Desk
    from pingdesk.store.journal import Journal


@contextmanager
def open_desk(
    args: argparse.Namespace,
    *,
    reporting: bool = True,
    lookalikes: bool = False,
    across_blogs: bool = False,
) -> Iterator[Desk]:
    """The Desk for this command's blog, closed afterwards.

    ``reporting`` hooks Akismet reporting in (spam / not spam report as wp-admin
    does); it costs the HTTP stack's import time, so read-only commands leave it out.
    On the demo blog, commands that report or say ``lookalikes`` (verify, akismet)
    get the demo's offline look-alikes instead of the network (see _demo_offline).

    When pingdesk's data folder cannot be written (a read-only HOME), the journal
    is opened for reading only: commands that only read work as always, and the
    first write fails with one line naming the journal and how to move it.
    """
    from pingdesk.config import journal_path
    from pingdesk.services.locate import open_queue
    from pingdesk.store.journal import Journal

    if not across_blogs:
        _one_blog_only(args)
    journal = Journal.open(journal_path())
    try:
        with _unwritable_journal(journal):
            desk = open_queue(
                where(args),
                config_of(args),
                journal,
                reporting=reporting,
                network=bool(getattr(args, "network", False)),
                all_profiles=bool(getattr(args, "all_profiles", False)),
            )
            for seat in getattr(desk, "seats", ()):
                if seat.error:  # a queue across blogs goes on without it
                    print(f"pingdesk: {seat.title}: {seat.error}; left out", file=sys.stderr)
            for settled in desk.settled:
                print(f"pingdesk: {settled.line()}; `pingdesk undo` reverts it", file=sys.stderr)
            _note_unsettled(desk)
            try:
                with _demo_offline(args, desk, wanted=reporting or lookalikes):
                    yield desk
            finally:
                desk.close()
    finally:
        journal.close()


def _one_blog_only(args: argparse.Namespace) -> None:
    """Commands about one blog's posts, settings or sources refuse a queue across blogs
    before connecting anywhere, rather than quietly act on its first blog."""
    several = bool(getattr(args, "network", False) or getattr(args, "all_profiles", False))
    several = several or "," in (getattr(args, "profile", None) or "")
    if several:
        name = " ".join(
            str(n)
            for n in (getattr(args, "command", None), getattr(args, "akismet_command", None))
            if n
        )
        command = f"`pingdesk {name}`" if name else "this command"
        raise UsageError(
            f"{command} works on one blog: name it with --site N or --profile NAME "
            "(--network, --all-profiles and --profile a,b are for list, show, counts, "
            "moderating, undo, history, domains and the UI)"
        )


@contextmanager
def _demo_offline(args: argparse.Namespace, desk: Desk, *, wanted: bool) -> Iterator[None]:
    """The demo blog opened with --db: its sources and Akismet key exist only in the
    demo's look-alikes, so start them (two loopback threads) for this command rather
    than fetch from the network and store 'unreachable' on its pings. The command
    then finds them through ``args.config`` (Akismet) and ``args.demo_verify``."""
    if not wanted:
        yield
        return
    from pingdesk.demo.marker import is_demo

    if not is_demo(desk.blog):
        yield
        return
    from pingdesk.demo.session import lookalikes

    with lookalikes(desk, config_of(args)) as running:
        args.config = running.config
        args.demo_verify = running.verify_settings
        yield


def writable_data_dir() -> None:
    """For commands that must write there (the demo blog): one line if they cannot."""
    from pingdesk.config import data_dir, data_dir_hint

    try:
        data_dir().mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot write pingdesk's data folder {data_dir()}: {exc.strerror or exc}; "
            f"{data_dir_hint()}"
        ) from None


@contextmanager
def _unwritable_journal(journal: Journal) -> Iterator[None]:
    """A write to a journal that cannot be written: exit 2 (moving it is configuration,
    retrying will not help), naming the file and where to put it instead."""
    from pingdesk.config import data_dir_hint
    from pingdesk.store.journal import JournalUnavailable

    try:
        yield
    except JournalUnavailable as exc:
        if journal.writable:
            raise
        raise ConfigError(f"{exc.message}; {data_dir_hint()}") from None


def _note_unsettled(desk: Desk) -> None:
    """Interrupted actions this read-only journal cannot settle: say so, once, on stderr."""
    if desk.journal.writable:
        return
    waiting = len(desk.journal.unresolved(desk.blog.key))
    if waiting:
        print(
            f"pingdesk: {waiting} interrupted action(s) on this blog wait to be settled: "
            f"the journal {desk.journal.path} cannot be written ({desk.journal.unwritable})",
            file=sys.stderr,
        )
