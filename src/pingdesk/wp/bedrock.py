"""Bedrock (roots/bedrock): the database settings live in .env, not in wp-config.php.

A Bedrock project keeps WordPress in ``web/wp``; ``web/wp-config.php`` only
requires ``config/application.php``, which loads ``.env`` (and ``.env.local``
over it) with vlucas/phpdotenv and then calls ``Config::define('DB_NAME',
env('DB_NAME'))`` and so on, or takes all of it from ``DATABASE_URL``. Those
calls are library code that the text reader cannot follow, so this module
mirrors the stock application.php: same files, same precedence (variables
already in the environment win, as phpdotenv's immutable repository does), the
same ``env()`` conversions (oscarotero/env: "true", "false", "null", "empty").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pingdesk.errors import ConfigError

__all__ = [
    "APPLICATION",
    "DotEnv",
    "Settings",
    "bedrock_root",
    "env_value",
    "read_dotenv",
    "settings",
]

APPLICATION = Path("config") / "application.php"
_REQUIRES_APPLICATION = re.compile(r"config/application\.php")
# A .env holding megabytes is not a .env; refuse rather than read it.
_MAX_BYTES = 1_000_000


def bedrock_root(wp_config: Path, text: str) -> Path | None:
    """The project folder if ``wp_config`` is Bedrock's web/wp-config.php, else None."""
    if not _REQUIRES_APPLICATION.search(text):
        return None
    root = wp_config.parent.parent
    return root if (root / APPLICATION).is_file() else None


@dataclass
class DotEnv:
    """What .env (then .env.local) set, with the line each value came from."""

    values: dict[str, str] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # name → "file:line"
    files: list[Path] = field(default_factory=list)


def _single_quoted(original: str) -> bool:
    _, _, after = original.partition("=")
    return after.lstrip().startswith("'")


def read_dotenv(root: Path, environ: Mapping[str, str]) -> DotEnv:
    """Read the project's .env files as phpdotenv does for Bedrock.

    Parsing (quotes, comments, ``export``, multi-line values) is python-dotenv's;
    ``${VAR}`` is expanded here, against the environment first and then the
    values read so far, and not inside single quotes, as phpdotenv does.
    """
    from io import StringIO

    from dotenv.parser import parse_stream
    from dotenv.variables import parse_variables

    env = DotEnv()
    if not (root / ".env").is_file():
        return env  # application.php loads nothing then: the environment alone counts
    names = [".env", ".env.local"] if (root / ".env.local").is_file() else [".env"]
    for name in names:
        path = root / name
        try:
            if path.stat().st_size > _MAX_BYTES:
                raise ConfigError(f"{path}: too large for a .env file")
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: not UTF-8 text") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
        env.files.append(path)
        for binding in parse_stream(StringIO(text)):
            if binding.error:
                line = binding.original.line
                raise ConfigError(f"{path}:{line}: cannot parse this line of the .env file")
            key, value = binding.key, binding.value
            if key is None or key in environ:
                continue  # a comment, or a variable the environment already sets
            if value is None:
                value = ""  # `NAME` alone: phpdotenv sets it empty
            elif not _single_quoted(binding.original.string):
                seen: dict[str, str | None] = {**env.values, **environ}
                value = "".join(atom.resolve(seen) for atom in parse_variables(value))
            env.values[key] = value
            env.where[key] = f"{path}:{binding.original.line}"
    return env


def env_value(raw: str | None) -> str | None:
    """Bedrock's env(): 'true' → '1', 'false' → '', 'null' → None, 'empty' → ''
    (as PHP would turn the converted value back into a string)."""
    if raw is None:
        return None
    low = raw.strip().lower()
    if low in ("true", "(true)"):
        return "1"
    if low in ("false", "(false)", "empty", "(empty)"):
        return ""
    if low in ("null", "(null)"):
        return None
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]  # Env::STRIP_QUOTES
    return raw


@dataclass
class Settings:
    constants: dict[str, str]
    where: dict[str, str]  # name → "file:line", or "the environment"


def settings(root: Path, environ: Mapping[str, str], dotenv: DotEnv) -> Settings:
    """The DB_* constants the stock config/application.php defines with Config::define()
    (its ``$table_prefix = env('DB_PREFIX') ?: 'wp_'`` is plain PHP, read as such)."""

    def env(name: str) -> str | None:
        return env_value(environ[name] if name in environ else dotenv.values.get(name))

    def origin(name: str) -> str:
        return "the environment" if name in environ else dotenv.where.get(name, str(root))

    constants: dict[str, str] = {"DB_CHARSET": "utf8mb4", "DB_COLLATE": ""}
    where: dict[str, str] = {
        "DB_CHARSET": str(root / APPLICATION),
        "DB_COLLATE": str(root / APPLICATION),
    }
    for name in ("DB_NAME", "DB_USER", "DB_PASSWORD"):
        value = env(name)
        if value is not None:
            constants[name], where[name] = value, origin(name)
    host = env("DB_HOST")
    constants["DB_HOST"] = host or "localhost"
    where["DB_HOST"] = origin("DB_HOST") if host else str(root / APPLICATION)
    dsn = env("DATABASE_URL")
    if dsn:
        from urllib.parse import urlsplit

        # parse_url() as PHP does it: nothing is %-decoded.
        parts = urlsplit(dsn)
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"{origin('DATABASE_URL')}: DATABASE_URL has a bad port") from None
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        from_dsn = {
            "DB_NAME": parts.path[1:],
            "DB_USER": parts.username or "",
            "DB_PASSWORD": parts.password or "",
            "DB_HOST": f"{host}:{port}" if port else host,
        }
        for name, value in from_dsn.items():
            constants[name], where[name] = value, origin("DATABASE_URL")
    return Settings(constants=constants, where=where)
