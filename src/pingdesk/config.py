"""Where pingdesk keeps its files, its TOML settings, and the PINGDESK_* environment.

This is the one place that reads either: ``load_config()`` reads config.toml and
the environment once, and every layer below the front ends gets what it needs
from the resulting ``Config`` as plain values.

Precedence, for every setting that can come from more than one place: a
command-line flag, then a PINGDESK_* variable, then config.toml, then what
wp-config.php says (or the default). A flag of any kind beats a variable of
another kind: ``--profile blog`` wins over ``PINGDESK_DB``.

The file is ``config_dir()/config.toml``::

    default_profile = "blog"

    [profiles.blog]
    wp_config = "/var/www/blog/wp-config.php"   # or: db = "mysql://user@host/db"
    prefix = "wp_"
    password_env = "BLOG_DB_PASSWORD"
    site = "2"

    [verify]
    allow = ["127.0.0.1"]
    concurrency = 16
    per_host = 2
    timeout = 10.0
    max_bytes = 1048576

    [akismet]
    key = "..."
    endpoint = "https://rest.akismet.com/1.1/"
    timeout = 10.0
    concurrency = 16

    [moderator]
    login = "admin"

It may hold database passwords and an Akismet key, so it is written 0600.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from pingdesk.errors import ConfigError

APP_NAME = "pingdesk"
CONFIG_FILE = "config.toml"
PROFILE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def config_dir() -> Path:
    """The folder for config.toml (``$XDG_CONFIG_HOME/pingdesk`` on Linux)."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """The folder for the journal (``$XDG_DATA_HOME/pingdesk`` on Linux)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def data_dir_hint() -> str:
    """How to put pingdesk's files somewhere writable, for messages."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return "set XDG_DATA_HOME to a writable folder to move it ($XDG_DATA_HOME/pingdesk)"
    return f"make {data_dir()} writable (pingdesk keeps its journal there)"


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def journal_path() -> Path:
    return data_dir() / "journal.sqlite3"


@dataclass
class Profile:
    """A saved way to reach one blog: a wp-config.php or a database URL."""

    wp_config: str | None = None
    db: str | None = None
    prefix: str | None = None
    password: str | None = None  # overrides the URL's / DB_PASSWORD
    password_env: str | None = None  # name of an environment variable holding it
    site: str | None = None  # multisite: blog id, domain or domain/path


@dataclass
class VerifyConfig:
    allow: list[str] = field(default_factory=list)
    concurrency: int = 16
    per_host: int = 2
    timeout: float = 10.0
    max_bytes: int = 1_048_576


@dataclass
class AkismetConfig:
    key: str | None = None
    endpoint: str | None = None
    timeout: float = 10.0
    concurrency: int = 16


@dataclass
class ModeratorConfig:
    login: str | None = None


ENV_PREFIX = "PINGDESK_"


@dataclass(frozen=True)
class Environment:
    """The PINGDESK_* variables pingdesk honours, read once (empty counts as unset).

    ``db`` … ``site`` choose the blog (below the command-line flags);
    ``verify_allow`` adds to ``[verify] allow``; ``akismet_endpoint`` overrides
    ``[akismet] endpoint``; ``debug`` lets unexpected errors show their traceback.
    """

    db: str | None = None
    wp_config: str | None = None
    profile: str | None = None
    prefix: str | None = None
    site: str | None = None
    verify_allow: tuple[str, ...] = ()
    akismet_endpoint: str | None = None
    debug: bool = False

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Environment:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return (env.get(ENV_PREFIX + name) or "").strip() or None

        allow = tuple(a.strip() for a in (get("VERIFY_ALLOW") or "").split(",") if a.strip())
        return cls(
            db=get("DB"),
            wp_config=get("WP_CONFIG"),
            profile=get("PROFILE"),
            prefix=get("PREFIX"),
            site=get("SITE"),
            verify_allow=allow,
            akismet_endpoint=get("AKISMET_ENDPOINT"),
            debug=bool(get("DEBUG")),
        )


@dataclass
class Config:
    profiles: dict[str, Profile] = field(default_factory=dict)
    default_profile: str | None = None
    verify: VerifyConfig = field(default_factory=VerifyConfig)
    akismet: AkismetConfig = field(default_factory=AkismetConfig)
    moderator: ModeratorConfig = field(default_factory=ModeratorConfig)
    env: Environment = field(default_factory=Environment)
    path: Path | None = None  # the file it was read from, if any
    # Top-level tables this version does not know, kept for newer features.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def verify_allow(self) -> list[str]:
        """``[verify] allow`` plus PINGDESK_VERIFY_ALLOW."""
        return [*self.verify.allow, *self.env.verify_allow]

    @property
    def akismet_endpoint(self) -> str | None:
        """PINGDESK_AKISMET_ENDPOINT, else ``[akismet] endpoint`` (None: the real service)."""
        return self.env.akismet_endpoint or self.akismet.endpoint

    def profile(self, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(sorted(self.profiles)) or "none saved"
            where = f" in {self.path}" if self.path else ""
            raise ConfigError(f"no profile {name!r}{where} (profiles: {known})") from None


# --------------------------------------------------------------------------- reading


def _line_of(text: str, section: str | None, key: str) -> int | None:
    """Best-effort line number of ``key`` (in ``[section]``) for messages."""
    in_section = section is None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("["):
            header = line.strip("[] \t").replace('"', "").replace("'", "")
            in_section = section is not None and header == section
            continue
        if in_section and re.match(rf"""^["']?{re.escape(key)}["']?\s*=""", line):
            return n
    return None


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, section: str | None, key: str, what: str) -> ConfigError:
        line = _line_of(self.text, section, key)
        where = f"{self.path}:{line}" if line else str(self.path)
        name = f"{section}.{key}" if section else key
        return ConfigError(f"{where}: {name} {what}")

    def table(self, data: dict[str, Any], section: str | None, key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(section, key, "must be a table ([...])")
        return value

    def check_keys(self, data: dict[str, Any], section: str, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                raise self.fail(
                    section, key, f"is not a known setting (known: {', '.join(sorted(allowed))})"
                )

    def opt_str(self, data: dict[str, Any], section: str, key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(section, key, "must be a string")
        return value

    def num(
        self, data: dict[str, Any], section: str, key: str, default: float, *, kind: type
    ) -> Any:
        value = data.get(key, default)
        ok = isinstance(value, int | float) if kind is float else isinstance(value, int)
        if isinstance(value, bool) or not ok:
            wanted = "a number" if kind is float else "a whole number"
            raise self.fail(section, key, f"must be {wanted}, not {value!r}")
        if value <= 0:
            raise self.fail(section, key, f"must be greater than 0, not {value!r}")
        return kind(value)


def _parse(path: Path, text: str) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "... (at line 3, column 7)"; lead with the line for editors.
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        if m:
            msg = msg[: m.start()].strip()
            raise ConfigError(f"{path}:{m.group(1)}: invalid TOML: {msg}") from None
        raise ConfigError(f"{path}: invalid TOML: {msg}") from None
    r = _Reader(path, text)
    cfg = Config(path=path)

    default = data.get("default_profile")
    if default is not None and not isinstance(default, str):
        raise r.fail(None, "default_profile", "must be a string")
    cfg.default_profile = default or None

    profile_keys = {f.name for f in fields(Profile)}
    for name, raw in r.table(data, None, "profiles").items():
        section = f"profiles.{name}"
        if not isinstance(raw, dict):
            raise r.fail("profiles", name, "must be a table ([profiles.NAME])")
        r.check_keys(raw, section, profile_keys)
        prof = Profile(**{k: r.opt_str(raw, section, k) for k in profile_keys})
        _check_profile(path, name, prof)
        cfg.profiles[name] = prof
    if cfg.default_profile and cfg.default_profile not in cfg.profiles:
        known = ", ".join(sorted(cfg.profiles)) or "none"
        raise r.fail(
            None,
            "default_profile",
            f"names {default!r}, which is not a profile (profiles: {known})",
        )

    verify = r.table(data, None, "verify")
    r.check_keys(verify, "verify", {f.name for f in fields(VerifyConfig)})
    allow = verify.get("allow", [])
    if not isinstance(allow, list) or not all(isinstance(a, str) for a in allow):
        raise r.fail("verify", "allow", "must be a list of strings")
    cfg.verify = VerifyConfig(
        allow=list(allow),
        concurrency=r.num(verify, "verify", "concurrency", 16, kind=int),
        per_host=r.num(verify, "verify", "per_host", 2, kind=int),
        timeout=r.num(verify, "verify", "timeout", 10.0, kind=float),
        max_bytes=r.num(verify, "verify", "max_bytes", 1_048_576, kind=int),
    )

    akismet = r.table(data, None, "akismet")
    r.check_keys(akismet, "akismet", {f.name for f in fields(AkismetConfig)})
    cfg.akismet = AkismetConfig(
        key=r.opt_str(akismet, "akismet", "key") or None,
        endpoint=r.opt_str(akismet, "akismet", "endpoint") or None,
        timeout=r.num(akismet, "akismet", "timeout", 10.0, kind=float),
        concurrency=r.num(akismet, "akismet", "concurrency", 16, kind=int),
    )

    moderator = r.table(data, None, "moderator")
    r.check_keys(moderator, "moderator", {"login"})
    cfg.moderator = ModeratorConfig(login=r.opt_str(moderator, "moderator", "login") or None)

    top_level = {"default_profile", "profiles", "verify", "akismet", "moderator"}
    cfg.extra = {k: v for k, v in data.items() if k not in top_level}
    return cfg


def _check_profile(path: Path | None, name: str, prof: Profile) -> None:
    where = f"{path}: " if path else ""
    if not PROFILE_NAME_RE.match(name):
        raise ConfigError(
            f"{where}invalid profile name {name!r}: use letters, digits, '.', '-' and '_'"
        )
    if prof.wp_config and prof.db:
        raise ConfigError(f"{where}profile {name!r} sets both wp_config and db; keep one")
    if not prof.wp_config and not prof.db:
        raise ConfigError(f"{where}profile {name!r} needs wp_config or db")
    if prof.password is not None and prof.password_env:
        raise ConfigError(f"{where}profile {name!r} sets both password and password_env; keep one")


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read config.toml and the PINGDESK_* environment, once per command.

    A missing file gives the defaults, a broken one a ConfigError naming file and line.
    """
    env = Environment.read(environ)
    p = path or config_path()
    try:
        raw = p.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        # NotADirectory: HOME (or XDG_CONFIG_HOME) under a file; no config either way.
        return Config(env=env)
    except IsADirectoryError:
        raise ConfigError(f"{p}: cannot read: is a directory, not a file") from None
    except PermissionError:
        raise ConfigError(f"{p}: cannot read: permission denied") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{p}:{line}: invalid TOML: not UTF-8 text") from None
    cfg = _parse(p, text)
    cfg.env = env
    return cfg


# --------------------------------------------------------------------------- writing


def secure_write(path: Path, data: bytes) -> None:
    """Write a file only its owner can read, atomically (no half-written secrets).

    The temporary file is created 0600 from the start, so the secret is never
    readable by others even for a moment; the parent folder is made 0700 if new.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp already uses 0600; fchmod makes it exact whatever the umask.
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.chmod(path, 0o600)
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _profile_table(prof: Profile) -> dict[str, str]:
    return {f.name: getattr(prof, f.name) for f in fields(Profile) if getattr(prof, f.name)}


def save_profile(
    name: str, profile: Profile, *, default: bool = False, path: Path | None = None
) -> Path:
    """Add or replace a profile in config.toml (mode 0600); returns the file's path.

    Other settings are kept, but comments in the file are not (tomli_w writes
    plain TOML). ``default=True`` also makes it the default profile.
    """
    p = path or config_path()
    _check_profile(p, name, profile)
    data: dict[str, Any] = {}
    if p.exists():
        load_config(p)  # refuse to overwrite a file we cannot read
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    profiles = data.setdefault("profiles", {})
    profiles[name] = _profile_table(profile)
    if default:
        data["default_profile"] = name
    # Top-level keys must precede tables in TOML; tomli_w handles the order.
    secure_write(p, tomli_w.dumps(data).encode("utf-8"))
    return p


def delete_profile(name: str, *, path: Path | None = None) -> bool:
    """Remove a profile; returns False if there was none by that name."""
    p = path or config_path()
    if not p.exists():
        return False
    load_config(p)
    data = tomllib.loads(p.read_text(encoding="utf-8"))
    profiles = data.get("profiles", {})
    if name not in profiles:
        return False
    del profiles[name]
    if data.get("default_profile") == name:
        del data["default_profile"]
    secure_write(p, tomli_w.dumps(data).encode("utf-8"))
    return True
