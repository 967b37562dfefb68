"""Naming pings on the command line: '48' on one blog, 'SITE:48' in a queue across
blogs (``--network``, several profiles), where comment ids repeat from site to site."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from pingdesk.errors import UsageError

if TYPE_CHECKING:
    from pingdesk.services.desk import Desk

_REF = re.compile(r"[^\s:]+:\d+")


def ping_ref(text: str) -> int | str:
    """argparse type: a comment id, or SITE:ID."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if _REF.fullmatch(text):
        return text
    raise argparse.ArgumentTypeError(f"not a ping id: {text!r} (an ID, or SITE:ID across blogs)")


def resolve(desk: Desk, refs: Iterable[int | str]) -> list[int]:
    """The desk's row keys for what the command line named."""
    from pingdesk.services.fleet import Fleet

    keys: list[int] = []
    for ref in refs:
        if isinstance(desk, Fleet):
            if isinstance(ref, int):
                raise UsageError(
                    f"{ref}: in a queue across blogs, name pings as SITE:ID "
                    f"(e.g. {desk.seats[0].name if desk.seats else 'site'}:{ref})"
                )
            keys.append(desk.parse_ref(ref))
        elif isinstance(ref, str):
            raise UsageError(f"{ref}: SITE:ID names a ping with --network or several profiles")
        else:
            keys.append(ref)
    return keys


def shown(desk: Desk, keys: Iterable[int]) -> list[int | str]:
    """What to print for these row keys: ids, or SITE:ID across blogs."""
    from pingdesk.services.fleet import Fleet

    if not isinstance(desk, Fleet):
        return list(keys)
    return [desk.ref(k) for k in keys]
