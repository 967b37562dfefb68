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
def open_desk(args: argparse.Namespace, *, reporting: bool = True) -> Iterator[Desk]:
    """The Desk for this command's blog, closed afterwards.

    ``reporting`` hooks Akismet reporting in (spam / not spam report as wp-admin
    does); it costs the HTTP stack's import time, so read-only commands leave it out.
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
            yield desk
        finally:
            desk.close()
    finally:
        journal.close()
