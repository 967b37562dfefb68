"""Opening the blog the global options name, for one command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pingdesk.cli.args import config_of, where

if TYPE_CHECKING:
    from pingdesk.services.desk import Desk


@contextmanager
def open_desk(
    args: argparse.Namespace, *, reporting: bool = True, lookalikes: bool = False
) -> Iterator[Desk]:
    """The Desk for this command's blog, closed afterwards.

    ``reporting`` hooks Akismet reporting in (spam / not spam report as wp-admin
    does); it costs the HTTP stack's import time, so read-only commands leave it out.
    On the demo blog, commands that report or say ``lookalikes`` (verify, akismet)
    get the demo's offline look-alikes instead of the network (see _demo_offline).
    """
    from pingdesk.config import journal_path
    from pingdesk.services.locate import open_desk as open_blog
    from pingdesk.store.journal import Journal

    journal = Journal(journal_path())
    try:
        desk = open_blog(where(args), config_of(args), journal, reporting=reporting)
        for settled in desk.settled:
            print(f"pingdesk: {settled.line()}; `pingdesk undo` reverts it", file=sys.stderr)
        try:
            with _demo_offline(args, desk, wanted=reporting or lookalikes):
                yield desk
        finally:
            desk.close()
    finally:
        journal.close()


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
