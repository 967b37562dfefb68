"""Sending a post's pings as WordPress's do_all_pings() does: pingbacks to the pages its
content links to, then the trackbacks waiting in its to_ping — and recording them in
``pinged`` / ``to_ping`` exactly as WordPress would, so WordPress never sends them again.

Also one trackback by hand (``send-trackback``), what the Classic editor's "Send
trackbacks to" field did and the block editor no longer offers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pingdesk.config import Config
from pingdesk.errors import UsageError
from pingdesk.net.outbound import Sender, SendError, SendSettings
from pingdesk.net.safety import Allowlist
from pingdesk.wp import outgoing
from pingdesk.wp.blog import Blog
from pingdesk.wp.outgoing import OutgoingPost

CONCURRENCY = 4  # pingback targets discovered and pinged at a time

# What happened to one target, in words a script can match on.
OUTCOMES = (
    "sent",  # the target accepted it
    "already-pinged",  # in the post's pinged list (trackbacks), or fault 48
    "no-endpoint",  # the page names no pingback endpoint
    "rejected",  # the target answered with an error or a fault
    "unreachable",  # no answer
    "refused",  # pingdesk's safety rules: a private or loopback address, a bad URL
    "would-send",  # --dry-run
)


@dataclass
class Outcome:
    post_id: int
    kind: str  # 'pingback' | 'trackback'
    target: str  # the page linked to (pingback) or the trackback URL
    outcome: str
    detail: str = ""
    endpoint: str | None = None  # the pingback endpoint found
    fault: int | None = None
    recorded: bool = False  # pinged / to_ping updated as WordPress would

    def to_json(self) -> dict[str, Any]:
        return {
            "post_id": self.post_id,
            "kind": self.kind,
            "target": self.target,
            "outcome": self.outcome,
            "detail": self.detail,
            "endpoint": self.endpoint,
            "fault": self.fault,
            "recorded": self.recorded,
        }


def send_settings(
    config: Config | None, *, home: str | None, extra_allow: Iterable[str] = ()
) -> SendSettings:
    """The same allowlist and timeout as source verification ([verify] in config.toml)."""
    config = config or Config()
    return SendSettings(
        allow=Allowlist.parse([*config.verify_allow, *extra_allow]),
        timeout=float(config.verify.timeout),
        home=home,
    )


def _published(post: OutgoingPost) -> None:
    # WordPress schedules a post's pings when it is published (_publish_post_hook).
    if post.status != "publish":
        raise UsageError(
            f"post #{post.id} is {post.status or 'not published'}: "
            "WordPress sends pings only for published posts"
        )


def plan(blog: Blog, post_id: int) -> tuple[OutgoingPost, list[str], list[str], list[str]]:
    """The post, the links pingback() would ping, the trackbacks do_trackbacks() would
    send, and the to_ping URLs it would only cut out (already pinged)."""
    post = outgoing.read_post(blog, post_id)
    links = outgoing.pingback_links(post)
    pung = set(post.pinged)
    to_send = [u.strip() for u in post.to_ping if u.strip() not in pung]
    already = [u.strip() for u in post.to_ping if u.strip() in pung]
    return post, links, list(dict.fromkeys(to_send)), already


def send_pings(
    blog: Blog,
    post_id: int,
    settings: SendSettings,
    *,
    dry_run: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """pingback() then do_trackbacks() for one published post."""
    post, links, trackbacks, already = plan(blog, post_id)
    _published(post)
    if dry_run:
        out = [Outcome(post.id, "pingback", u, "would-send") for u in links]
        out += [Outcome(post.id, "trackback", u, "would-send") for u in trackbacks]
        out += [Outcome(post.id, "trackback", u, "already-pinged") for u in already]
        for o in out:
            if on_outcome:
                on_outcome(o)
        return out
    return asyncio.run(_send_all(blog, post, links, trackbacks, already, settings, on_outcome))


def send_trackbacks(
    blog: Blog,
    post_id: int,
    urls: list[str],
    settings: SendSettings,
    *,
    excerpt: str | None = None,
    dry_run: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """trackback() to each URL for one published post (sent even if pinged before, as
    WordPress's trackback() does; the pinged list then names it twice, as WordPress's)."""
    post = outgoing.read_post(blog, post_id)
    _published(post)
    bad = [u for u in urls if not u.lower().startswith(("http://", "https://"))]
    if bad:
        raise UsageError(f"not a trackback URL (http or https): {bad[0]}")
    if dry_run:
        out = [Outcome(post.id, "trackback", u, "would-send") for u in urls]
        for o in out:
            if on_outcome:
                on_outcome(o)
        return out

    async def run() -> list[Outcome]:
        async with Sender(settings) as sender:
            results = []
            for url in urls:
                o = await _trackback(blog, sender, post, url, excerpt)
                if on_outcome:
                    on_outcome(o)
                results.append(o)
            return results

    return asyncio.run(run())


async def _send_all(
    blog: Blog,
    post: OutgoingPost,
    links: list[str],
    trackbacks: list[str],
    already: list[str],
    settings: SendSettings,
    on_outcome: Callable[[Outcome], None] | None,
) -> list[Outcome]:
    results: list[Outcome] = []

    def emit(o: Outcome) -> None:
        results.append(o)
        if on_outcome:
            on_outcome(o)

    async with Sender(settings) as sender:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(link: str) -> Outcome:
            async with gate:
                return await _pingback(blog, sender, post, link)

        for done in asyncio.as_completed([one(link) for link in links]):
            emit(await done)
        # do_trackbacks(): nothing to send empties to_ping (it may hold non-URLs).
        if not post.to_ping:
            await asyncio.to_thread(outgoing.clear_to_ping, blog, post.id)
        for url in already:
            await asyncio.to_thread(outgoing.drop_to_ping, blog, post.id, url)
            emit(Outcome(post.id, "trackback", url, "already-pinged", recorded=True))
        for url in trackbacks:
            emit(await _trackback(blog, sender, post, url, None))
    return results


async def _pingback(blog: Blog, sender: Sender, post: OutgoingPost, link: str) -> Outcome:
    o = Outcome(post.id, "pingback", link, "sent")
    try:
        endpoint = await sender.discover_pingback(link)
        if not endpoint:
            o.outcome, o.detail = "no-endpoint", "the page names no pingback endpoint"
            return o
        o.endpoint = endpoint
        answer = await sender.pingback(endpoint, post.permalink, link)
    except SendError as exc:
        o.outcome, o.detail = exc.kind, exc.reason
        return o
    if answer.ok or answer.fault == 48:
        # pingback(): add_ping() after success, or "already registered".
        await asyncio.to_thread(outgoing.add_ping, blog, post.id, link)
        o.recorded = True
        o.outcome = "sent" if answer.ok else "already-pinged"
        o.detail = answer.message if answer.ok else answer.meaning
        o.fault = answer.fault
        return o
    o.outcome, o.fault = "rejected", answer.fault
    o.detail = (
        f"fault {answer.fault}: {answer.meaning} ({answer.message})"
        if answer.fault is not None
        else answer.message
    )
    return o


async def _trackback(
    blog: Blog, sender: Sender, post: OutgoingPost, url: str, excerpt: str | None
) -> Outcome:
    o = Outcome(post.id, "trackback", url, "sent")
    try:
        answer = await sender.trackback(
            url,
            title=outgoing.trackback_title(post),
            permalink=post.permalink,
            blog_name=post.blog_name,
            excerpt=outgoing.trackback_excerpt(post)
            if excerpt is None
            else outgoing.html_excerpt(excerpt, outgoing.EXCERPT_LENGTH, outgoing.EXCERPT_MORE),
        )
    except SendError as exc:
        o.outcome, o.detail = exc.kind, exc.reason
        return o
    # trackback(): any HTTP answer counts as sent for pinged / to_ping.
    await asyncio.to_thread(outgoing.record_trackback, blog, post.id, url)
    o.recorded = True
    if answer.error is False:
        o.detail = answer.message or f"HTTP {answer.status}"
    elif answer.error:
        o.outcome, o.detail = "rejected", answer.message or "error 1"
    else:
        o.outcome = "rejected" if answer.status >= 400 else "sent"
        o.detail = f"HTTP {answer.status}, not a trackback answer"
    return o
