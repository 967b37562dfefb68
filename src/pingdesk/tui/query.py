"""The filter language of '/': free text plus field terms.

    domain:example.com   pings from this domain or its subdomains
    post:42              pings on post 42
    type:pingback        pingback, trackback, webmention (pb, tb, wm)
    self                 self-pings (from the blog's own hosts)
    check:gone           stored verification result (linked, no-link, gone, ...)
    site:news            across blogs (--network, several profiles): this site's only
    anything else        searched in title, source URL, excerpt and IP

Nothing here imports Textual, so it is cheap to test and reuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pingdesk.errors import UsageError
from pingdesk.wp.pings import KINDS, PingFilter


@dataclass(frozen=True)
class Query:
    """What the moderator typed after '/': free text plus field terms."""

    text: str = ""
    search: str | None = None
    domain: str | None = None
    post_id: int | None = None
    kind: str = "all"
    self_only: bool = False
    check: str | None = None
    site: str | None = None

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    def apply(self, flt: PingFilter) -> PingFilter:
        return replace(
            flt,
            search=self.search,
            domain=self.domain,
            post_id=self.post_id,
            kind=self.kind,
            self_only=self.self_only,
            check=self.check,
            site=self.site,
        )


_TERM = re.compile(r'(\w+):("([^"]*)"|\S*)|"([^"]*)"|(\S+)')


def parse_query(text: str, *, allow_check: bool = True) -> Query:
    """Parse 'domain:example.com type:pingback post:12 self check:nolink free words'."""
    words: list[str] = []
    fields: dict[str, object] = {}
    for m in _TERM.finditer(text or ""):
        key, raw, quoted, phrase, word = m.groups()
        if key is not None:
            value = quoted if quoted is not None else raw
            key = key.lower()
            if key == "domain":
                if not value:
                    raise UsageError("domain: needs a host, e.g. domain:example.com")
                fields["domain"] = value.lower()
            elif key == "post":
                if not value.isdigit():
                    raise UsageError("post: needs a post ID, e.g. post:42")
                fields["post_id"] = int(value)
            elif key == "type":
                kind = {"pb": "pingback", "tb": "trackback", "wm": "webmention"}.get(
                    value.lower(), value.lower()
                )
                if kind not in (*KINDS, "all"):
                    raise UsageError("type: is pingback, trackback or webmention")
                fields["kind"] = kind
            elif key == "site":
                if not value:
                    raise UsageError("site: needs a site's name, e.g. site:news")
                fields["site"] = value
            elif key == "check":
                if not allow_check:
                    raise UsageError("check: needs source verification, which is not available")
                if not value:
                    raise UsageError("check: needs a result, e.g. check:nolink")
                fields["check"] = value
            else:
                # Unknown 'x:y' is free text (URLs contain colons too).
                words.append(m.group(0))
        elif phrase is not None:
            words.append(phrase)
        elif word is not None:
            if word.lower() == "self":
                fields["self_only"] = True
            else:
                words.append(word)
    search = " ".join(words).strip() or None
    return Query(text=(text or "").strip(), search=search, **fields)  # type: ignore[arg-type]
