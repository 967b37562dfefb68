"""Stopping self-pings at the source: a must-use plugin that drops the blog's own URLs from
the links ``pingback()`` is about to ping (its ``pre_ping`` hook), as the "No Self Ping"
plugin does — plus what is in effect now.

The plugin is a fixed text (no user input reaches it), written into the blog's
must-use plugin folder (``WPMU_PLUGIN_DIR``, else ``WP_CONTENT_DIR/mu-plugins``, else
``ABSPATH/wp-content/mu-plugins``) with the owner and mode of its neighbours, so that the
web server reads it as it reads them.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phpserialize

from pingdesk.wp.blog import Blog

PLUGIN_FILE = "pingdesk-no-self-pings.php"
MARKER = "pingdesk-no-self-pings"
# The "No Self Ping" plugin (wordpress.org/plugins/no-self-ping), and forks named alike.
OTHER_PLUGINS = ("no-self-ping", "no-self-pings")

PLUGIN_TEXT = """<?php
/**
 * Plugin Name: No self-pings (pingdesk)
 * Description: Stops WordPress pinging its own posts: links to this blog are dropped from
 *              the pings a post sends (pre_ping), as the No Self Ping plugin does. Written by
 *              `pingdesk self-pings stop`; `pingdesk self-pings allow` removes it.
 * Version:     1
 *
 * pingdesk-no-self-pings
 */

add_action(
	'pre_ping',
	function ( &$links ) {
		// The blog's own address, with or without https and www., and nothing longer
		// (example.com must not swallow example.com.evil or example.community).
		$home = preg_replace( '#^https?://(www\\.)?#i', '', untrailingslashit( home_url() ) );
		foreach ( $links as $i => $link ) {
			$bare = preg_replace( '#^https?://(www\\.)?#i', '', $link );
			if ( 0 === stripos( $bare, $home ) ) {
				$rest = substr( $bare, strlen( $home ) );
				if ( '' === $rest || false !== strpos( '/?#', $rest[0] ) ) {
					unset( $links[ $i ] );
				}
			}
		}
	}
);
"""


@dataclass(frozen=True)
class Files:
    """Where the blog's WordPress files are, as its wp-config.php says."""

    wp_config: Path
    mu_plugin_dir: Path

    @property
    def plugin_path(self) -> Path:
        return self.mu_plugin_dir / PLUGIN_FILE


def mu_plugin_dir(wp_config: Path, constants: dict[str, Any]) -> Path:
    """WordPress's default-constants.php: WPMU_PLUGIN_DIR, else WP_CONTENT_DIR/mu-plugins,
    else ABSPATH/wp-content/mu-plugins. ABSPATH is wp-config.php's folder, or the folder
    below it that holds wp-settings.php (wp-config.php may sit one level above)."""
    if isinstance(constants.get("WPMU_PLUGIN_DIR"), str) and constants["WPMU_PLUGIN_DIR"]:
        return Path(constants["WPMU_PLUGIN_DIR"])
    if isinstance(constants.get("WP_CONTENT_DIR"), str) and constants["WP_CONTENT_DIR"]:
        return Path(constants["WP_CONTENT_DIR"]) / "mu-plugins"
    return _abspath(wp_config) / "wp-content" / "mu-plugins"


def _abspath(wp_config: Path) -> Path:
    here = wp_config.parent
    if (here / "wp-settings.php").exists():
        return here
    below = [d for d in here.iterdir() if d.is_dir() and (d / "wp-settings.php").exists()]
    return below[0] if len(below) == 1 else here


@dataclass(frozen=True)
class Status:
    ours: Path | None  # our must-use plugin, when present
    other_plugin: str | None  # an active "No Self Ping" plugin
    foreign_file: bool = False  # a file of our name that we did not write

    @property
    def stopped(self) -> bool:
        return self.ours is not None or self.other_plugin is not None


def active_self_ping_plugin(blog: Blog) -> str | None:
    """An active plugin that stops self-pings (the site's active_plugins; a network-wide
    activation on multisite is not looked at)."""
    for name in _plugin_names(blog.option("active_plugins", fresh=True)):
        if name.split("/", 1)[0].lower() in OTHER_PLUGINS:
            return name
    return None


def _plugin_names(raw: str | None) -> list[str]:
    if not raw:
        return []
    try:
        data = phpserialize.loads(raw.encode("utf-8", "surrogateescape"), decode_strings=True)
    except (ValueError, TypeError, EOFError):
        return []
    if isinstance(data, dict):
        # active_plugins is a list (serialized with 0..n keys); sitewide ones are keyed by name.
        values = list(data.values()) if all(isinstance(k, int) for k in data) else list(data)
        return [str(v) for v in values]
    return []


def status(blog: Blog, files: Files | None) -> Status:
    ours: Path | None = None
    foreign = False
    if files is not None and files.plugin_path.exists():
        text = files.plugin_path.read_text(encoding="utf-8", errors="replace")
        if MARKER in text:
            ours = files.plugin_path
        else:
            foreign = True
    return Status(ours=ours, other_plugin=active_self_ping_plugin(blog), foreign_file=foreign)


def write_plugin(files: Files) -> Path:
    """Write (or rewrite) our must-use plugin atomically, owned and moded like its
    neighbours; creates the mu-plugins folder like its parent if it does not exist."""
    folder = files.mu_plugin_dir
    if not folder.exists():
        parent = folder.parent
        if not parent.is_dir():
            raise FileNotFoundError(f"{parent} does not exist (WP_CONTENT_DIR)")
        folder.mkdir(mode=stat.S_IMODE(parent.stat().st_mode))
        _same_owner(folder, parent.stat())
    like = _neighbour(folder)
    fd, tmp = tempfile.mkstemp(prefix=f".{PLUGIN_FILE}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(PLUGIN_TEXT)
        mode = stat.S_IMODE(like.st_mode) & 0o666 if like is not None else 0o644
        os.chmod(tmp, mode)
        _same_owner(Path(tmp), like or folder.stat())
        os.replace(tmp, files.plugin_path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return files.plugin_path


def remove_plugin(files: Files) -> bool:
    """Remove our plugin; False if it was not there. Never removes a file we did not write."""
    path = files.plugin_path
    if not path.exists():
        return False
    if MARKER not in path.read_text(encoding="utf-8", errors="replace"):
        raise FileExistsError(f"{path} was not written by pingdesk; left alone")
    path.unlink()
    return True


def _neighbour(folder: Path) -> os.stat_result | None:
    # A symlink's target lives elsewhere: its mode says nothing about this folder.
    for p in sorted(folder.glob("*.php")):
        if p.name != PLUGIN_FILE and p.is_file() and not p.is_symlink():
            return p.stat()
    return None


def _same_owner(path: Path, like: os.stat_result) -> None:
    # Only root can give a file away; anyone else's file is theirs already.
    if os.geteuid() == 0:
        with contextlib.suppress(OSError):
            os.chown(path, like.st_uid, like.st_gid)
