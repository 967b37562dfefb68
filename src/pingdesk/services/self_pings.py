"""`self-pings status | stop | allow`: what stops this blog pinging itself, and changing it.

Writing the must-use plugin needs the blog's files, which pingdesk knows only when it found
(or was given) wp-config.php; with a bare database URL it says what to install instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pingdesk.errors import ConfigError, PingdeskError
from pingdesk.wp import self_pings
from pingdesk.wp.blog import Blog
from pingdesk.wp.self_pings import Files
from pingdesk.wp.wpconfig import parse_wp_config

NO_FILES = (
    "pingdesk knows this blog's database but not its files (no wp-config.php): pass "
    "--wp-config PATH, or install the No Self Ping plugin (wordpress.org/plugins/no-self-ping)"
)


@dataclass(frozen=True)
class SelfPingState:
    stopped: bool
    by: str  # 'pingdesk' | 'plugin' | ''
    plugin_path: Path | None  # ours, present or where it would go
    other_plugin: str | None
    files_known: bool
    note: str = ""

    def line(self) -> str:
        if self.by == "pingdesk":
            return f"self-pings stopped by pingdesk's must-use plugin ({self.plugin_path})"
        if self.by == "plugin":
            return f"self-pings stopped by the plugin {self.other_plugin}"
        return "self-pings allowed: links to this blog's own posts ping it" + (
            f" ({self.note})" if self.note else ""
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "stopped": self.stopped,
            "by": self.by or None,
            "plugin_path": str(self.plugin_path) if self.plugin_path else None,
            "other_plugin": self.other_plugin,
            "files_known": self.files_known,
        }


def files_of(wp_config: Path | None) -> Files | None:
    if wp_config is None:
        return None
    try:
        constants = dict(parse_wp_config(wp_config).constants)
    except ConfigError:
        # Readable enough to connect by (the caller did), not on its own (e.g. Debian's
        # several config-HOST.php without --url): WordPress's default folders then.
        constants = {}
    return Files(wp_config, self_pings.mu_plugin_dir(wp_config, constants))


def state(blog: Blog, files: Files | None) -> SelfPingState:
    st = self_pings.status(blog, files)
    by = "pingdesk" if st.ours else "plugin" if st.other_plugin else ""
    note = ""
    if st.foreign_file and files is not None:
        note = f"{files.plugin_path} exists but was not written by pingdesk"
    return SelfPingState(
        stopped=st.stopped,
        by=by,
        plugin_path=files.plugin_path if files else None,
        other_plugin=st.other_plugin,
        files_known=files is not None,
        note=note,
    )


def stop(blog: Blog, files: Files | None) -> tuple[SelfPingState, bool]:
    """Write the plugin; (state, changed)."""
    if files is None:
        raise ConfigError(NO_FILES)
    before = state(blog, files)
    if before.by == "pingdesk":
        return before, False
    if self_pings.status(blog, files).foreign_file:
        raise PingdeskError(
            f"{files.plugin_path} exists and was not written by pingdesk; left alone"
        )
    try:
        self_pings.write_plugin(files)
    except OSError as exc:
        raise PingdeskError(f"cannot write {files.plugin_path}: {exc.strerror or exc}") from None
    return state(blog, files), True


def would_change(blog: Blog, files: Files | None, action: str) -> tuple[SelfPingState, bool]:
    """What ``stop`` or ``allow`` would do, refused as they would be; writes nothing."""
    if files is None:
        raise ConfigError(NO_FILES)
    now = state(blog, files)
    if action == "allow":
        return now, now.by == "pingdesk"
    if now.by == "pingdesk":
        return now, False
    if self_pings.status(blog, files).foreign_file:
        raise PingdeskError(
            f"{files.plugin_path} exists and was not written by pingdesk; left alone"
        )
    return now, True


def allow(blog: Blog, files: Files | None) -> tuple[SelfPingState, bool]:
    """Remove our plugin; (state, changed). Another plugin is left to wp-admin."""
    if files is None:
        raise ConfigError(NO_FILES)
    try:
        changed = self_pings.remove_plugin(files)
    except FileExistsError as exc:
        raise PingdeskError(str(exc)) from None
    except OSError as exc:
        raise PingdeskError(f"cannot remove {files.plugin_path}: {exc.strerror or exc}") from None
    return state(blog, files), changed
