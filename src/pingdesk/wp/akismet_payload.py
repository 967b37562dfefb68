"""The request the WordPress Akismet plugin would send for a comment row.

Two shapes, as in class.akismet.php:

* a re-check (``check_db_comment``): the row as stored — user_ip from
  comment_author_IP, user_agent from comment_agent, referrer '', blog / lang /
  charset / permalink of the site, recheck_reason 'recheck_queue'; the plugin
  does not look at akismet_as_submitted here.
* a report (``submit_spam_comment`` / ``submit_nonspam_comment``): the row
  merged with the sanitized akismet_as_submitted meta (stored values win, if it
  has comment_content), then blog / lang / charset / permalink / the post's
  modified date overridden with today's values.

Only the fields the ``akismet`` library accepts are kept (it refuses unknown
keyword arguments); plugin-only fields such as ``reporter`` cannot be sent.
A row without an IP address is not sent at all: user_ip is required by the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pingdesk.wp.akismet_meta import CommentRow
from pingdesk.wp.blog import Blog

Purpose = Literal["check", "report"]


@dataclass(frozen=True)
class SiteInfo:
    """The options the plugin reads for every request."""

    home: str
    blog_lang: str
    blog_charset: str


def site_info(blog: Blog) -> SiteInfo:
    opts = blog.options(["home", "siteurl", "WPLANG", "blog_charset"])
    home = (opts.get("home") or opts.get("siteurl") or "").strip()
    # get_locale(): the WPLANG option, or en_US when it is empty.
    lang = (opts.get("WPLANG") or "").strip() or "en_US"
    charset = (opts.get("blog_charset") or "").strip() or "UTF-8"
    return SiteInfo(home=home, blog_lang=lang, blog_charset=charset)


@dataclass(frozen=True)
class Payload:
    comment_id: int
    blog_url: str
    user_ip: str
    fields: dict[str, str]


@dataclass(frozen=True)
class Skip:
    comment_id: int
    reason: str


def iso_gmt(value: datetime | str | None) -> str | None:
    """ISO 8601 in UTC, as the REST API documents comment_date_gmt; None for 'never'."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text or text.startswith("0000-00-00"):
            return None
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text  # a value stored by the plugin that we do not understand: pass it on
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def build_payload(
    row: CommentRow,
    site: SiteInfo,
    permalink: str | None,
    *,
    purpose: Purpose,
) -> Payload | Skip:
    """The plugin's request for ``row``; Skip with the reason when it cannot be sent."""
    stored = row.as_submitted if purpose == "report" else None
    if stored is not None and "comment_content" not in stored:
        stored = None  # the plugin merges only a complete record
    stored = stored or {}

    def pick(stored_key: str, value: str) -> str:
        return stored.get(stored_key, value)

    user_ip = (stored.get("user_ip") or stored.get("comment_author_IP") or row.author_ip).strip()
    if not user_ip:
        return Skip(
            row.comment_id,
            "no IP address recorded for this ping: Akismet needs the sender's IP (user_ip)",
        )
    if not site.home:
        return Skip(row.comment_id, "the blog has no home URL option: Akismet needs it (blog)")

    fields: dict[str, str] = {
        "user_agent": stored.get("user_agent") or pick("comment_agent", row.agent),
        "comment_type": pick("comment_type", row.comment_type),
        "comment_author": pick("comment_author", row.author),
        "comment_author_email": pick("comment_author_email", row.author_email),
        "comment_author_url": pick("comment_author_url", row.author_url),
        "comment_content": pick("comment_content", row.content),
        "blog_lang": site.blog_lang,
        "blog_charset": site.blog_charset,
        "user_role": "",
    }
    date = iso_gmt(stored.get("comment_date_gmt") or row.date_gmt)
    if date:
        fields["comment_date_gmt"] = date
    modified = iso_gmt(row.post_modified_gmt)
    if modified:
        fields["comment_post_modified_gmt"] = modified
    if permalink:
        fields["permalink"] = permalink
    if stored.get("is_test"):
        fields["is_test"] = stored["is_test"]
    if purpose == "check":
        fields["referrer"] = ""
        fields["recheck_reason"] = "recheck_queue"
    return Payload(row.comment_id, site.home, user_ip, fields)


def fallback_permalink(site: SiteInfo, post_id: int) -> str:
    """WordPress's plain permalink, used when no permalink resolver is available."""
    return f"{site.home.rstrip('/')}/?p={int(post_id)}"
