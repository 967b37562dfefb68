"""Debian's and Ubuntu's packaged WordPress: which /etc/wordpress/config-*.php holds the settings.

The package's /usr/share/wordpress/wp-config.php holds no database settings; at
run time it picks ``/etc/wordpress/config-<host>.php`` from the request's
HTTP_HOST (then ``config-<domain>.php`` for a sub-domain, then
``config-default.php``), or ``config-$WORDPRESS_CONFIG.php`` when the web server
sets that variable. Read as text, HTTP_HOST is unknown, so the choice is made
here the same way, with the host from WP-CLI's ``--url``; without one, a folder
holding a single config-*.php leaves no doubt, and several are listed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from pingdesk.errors import ConfigError

__all__ = ["CONFIG_DIR", "choose_config_file", "host_of", "is_debian_master"]

# Where the package keeps each site's settings. A module constant so that tests
# can point it at a folder of their own (nothing here ever writes to it).
CONFIG_DIR = Path("/etc/wordpress")

_MARKER_RE = re.compile(r"\$debian_file\s*=.*?config-", re.DOTALL)
_WORDPRESS_CONFIG_RE = re.compile(r"^[a-zA-Z0-9-]+$")


def is_debian_master(text: str) -> bool:
    """Whether this is the package's wp-config.php (it names $debian_file)."""
    return "/etc/wordpress/config-" in text and _MARKER_RE.search(text) is not None


def host_of(url: str) -> str:
    """The host part of ``--url`` as the package's file cleans HTTP_HOST: no scheme,
    path or port, only letters, digits, '.' and '-', lower case."""
    text = re.sub(r"^(?:[a-z][a-z0-9+.-]*:)?//", "", url.strip(), flags=re.IGNORECASE)
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    text = text.rsplit("@", 1)[-1]
    text = re.sub(r":.*", "", text)
    return re.sub(r"[^a-zA-Z0-9.\-]", "", text).lower()


def _listing(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.glob("config-*.php") if p.is_file())
    except OSError:
        return []


def _names(files: list[Path]) -> str:
    return ", ".join(p.name for p in files) if files else "none"


def choose_config_file(
    master: Path, url: str | None, env: Mapping[str, str], folder: Path | None = None
) -> Path:
    """The config-*.php the package's ``master`` wp-config.php would load for ``url``."""
    folder = CONFIG_DIR if folder is None else folder
    chosen = (env.get("WORDPRESS_CONFIG") or "").strip()
    if chosen and _WORDPRESS_CONFIG_RE.match(chosen):
        path = folder / f"config-{chosen}.php"
        if path.is_file():
            return path
        raise ConfigError(
            f"{master}: WORDPRESS_CONFIG={chosen} names {path}, which does not exist "
            f"(config files there: {_names(_listing(folder))})"
        )
    files = _listing(folder)
    if url and url.strip():
        host = host_of(url)
        domain = re.sub(r"^[^.]*\.", "", host)
        tried = [f"config-{host}.php"]
        if domain != host:
            tried.append(f"config-{domain}.php")
        tried.append("config-default.php")
        for name in tried:
            if (folder / name).is_file():
                return folder / name
        raise ConfigError(
            f"{master}: Debian's WordPress reads {folder}/{tried[0]} for --url {url.strip()}, "
            f"which does not exist (nor {', '.join(tried[1:])}); config files there: "
            f"{_names(files)}"
        )
    if len(files) == 1:
        return files[0]
    if not files:
        raise ConfigError(
            f"{master} is Debian's WordPress, which reads its settings from "
            f"{folder}/config-HOST.php, and there is none"
        )
    raise ConfigError(
        f"{master} is Debian's WordPress with several sites in {folder} "
        f"({_names(files)}): pass --url HOST to choose one, as with WP-CLI"
    )
