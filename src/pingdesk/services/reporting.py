"""Which Akismet key a blog uses, and what reporting beside a moderation means for it.

Kept apart from ``services/akismet.py`` (which speaks HTTP) so that moderating
and undoing — which only stage reports in the outbox — never load the HTTP stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pingdesk.config import Config
from pingdesk.wp.akismet_meta import Trail, plugin_active
from pingdesk.wp.blog import Blog

if TYPE_CHECKING:
    # Only writing commands report; read-only ones (every open_desk imports this
    # module) need not load the moderation engine.
    from pingdesk.wp.moderation import Reporting

KeySource = Literal["config", "wp-config", "option", "none"]


def resolve_key(configured: str | None, blog: Blog) -> tuple[str | None, KeySource]:
    """The key as the plugin finds it, with pingdesk's config first:
    config akismet.key, else WPCOM_API_KEY in wp-config.php, else option wordpress_api_key."""
    if configured and configured.strip():
        return configured.strip(), "config"
    if blog.akismet_key and blog.akismet_key.strip():
        return blog.akismet_key.strip(), "wp-config"
    option = blog.option("wordpress_api_key")
    if option and option.strip():
        return option.strip(), "option"
    return None, "none"


def reporting_for(blog: Blog, config: Config, moderator: str | None = None) -> Reporting:
    """As wp-admin with the plugin: a report for every spam / not spam (queued when a
    key is configured), the plugin's trail beside every status change."""
    key, _ = resolve_key(config.akismet.key or None, blog)
    trail = Trail(
        user=moderator or config.moderator.login or None,
        reports=bool(key),
        status_history=plugin_active(blog),
    )
    from pingdesk.wp.akismet_payload import site_info
    from pingdesk.wp.moderation import Reporting

    return Reporting(trail, site_info(blog) if key else None)
