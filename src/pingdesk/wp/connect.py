"""From a database address (a URL, or what wp-config.php says) to a checked Blog.

``target_from_db`` / ``target_from_wp_config`` say where the database is without
touching it (which one the user means is decided in pingdesk.services.locate);
``connect`` opens it and refuses anything that is not a WordPress database, with
one line saying what is wrong. No driver exception or traceback gets out.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Column, MetaData, Table, Text, bindparam, event, inspect, select, text
from sqlalchemy.engine import URL, Connection, Engine, create_engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from pingdesk.errors import ConfigError, ConnectError, DatabaseUnavailable, NotFound
from pingdesk.wp.blog import Blog
from pingdesk.wp.schema import Tables, site_prefix, validate_prefix
from pingdesk.wp.wpconfig import WPConfig, find_wp_config, parse_wp_config

__all__ = [
    "DEFAULT_PREFIX",
    "NetworkSite",
    "Target",
    "connect",
    "default_socket",
    "list_sites",
    "parse_db_url",
    "target_from_db",
    "target_from_wp_config",
    "wp_config_path",
]

DEFAULT_PREFIX = "wp_"
MYSQL_DRIVER = "mysql+pymysql"
# Where Debian/Ubuntu, then RHEL, then Homebrew put the server's socket; PHP's
# mysqli uses its compiled-in default the same way for DB_HOST 'localhost'.
SOCKET_CANDIDATES = (
    "/run/mysqld/mysqld.sock",
    "/var/run/mysqld/mysqld.sock",
    "/var/lib/mysql/mysql.sock",
    "/tmp/mysql.sock",
)
SQLITE_HEADER = b"SQLite format 3\x00"
# URL schemes (before any +driver) that name a database pingdesk can open.
SUPPORTED_SCHEMES = frozenset({"mysql", "mariadb", "sqlite"})
CONNECT_TIMEOUT = 10

# The columns pingdesk reads or writes; a same-named table without them is not WordPress's.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "comments": (
        "comment_ID",
        "comment_post_ID",
        "comment_author",
        "comment_author_url",
        "comment_author_IP",
        "comment_date_gmt",
        "comment_content",
        "comment_approved",
        "comment_type",
        "comment_parent",
    ),
    "commentmeta": ("meta_id", "comment_id", "meta_key", "meta_value"),
    "posts": ("ID", "post_status", "post_type", "ping_status", "comment_count", "post_title"),
    "postmeta": ("meta_id", "post_id", "meta_key", "meta_value"),
    "options": ("option_id", "option_name", "option_value"),
}
BLOGS_COLUMNS = ("blog_id", "domain", "path")


def default_socket() -> str:
    """The local server's Unix socket, found the way MySQL clients look for it."""
    for candidate in SOCKET_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    return SOCKET_CANDIDATES[0]


@dataclass
class Target:
    """Where one blog's database is; resolved but not yet connected."""

    url: URL  # includes the password: never print it, use ``label``
    prefix: str
    site: str | None = None
    label: str = ""
    akismet_key: str | None = None
    multisite: bool = False
    subdomain_install: bool = False
    domain_current_site: str | None = None
    path_current_site: str | None = None
    blog_id_current_site: int | None = None
    wp_config: Path | None = None
    source: str = ""  # what chose it, for messages: "--db", "profile 'blog'", ...
    # MySQL: the session's collation (SET NAMES … COLLATE …); the charset is in ``url``.
    collation: str | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        return Path(self.url.database) if self.is_sqlite and self.url.database else None

    def __repr__(self) -> str:
        # The dataclass repr would show the URL object; keep passwords out of logs.
        return (
            f"Target(label={self.label!r}, prefix={self.prefix!r}, site={self.site!r}, "
            f"source={self.source!r})"
        )


@dataclass(frozen=True)
class NetworkSite:
    """One site of a multisite network (from ``{base}blogs`` and its options)."""

    blog_id: int
    domain: str
    path: str
    prefix: str
    name: str | None = None
    home: str | None = None
    deleted: bool = False
    archived: bool = False
    spam: bool = False

    @property
    def address(self) -> str:
        return f"{self.domain}{self.path}"


# --------------------------------------------------------------------------- URLs


def _redact(text: str) -> str:
    return re.sub(r"(//[^/:@]*):[^/]*@", r"\1:***@", text)


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mysql_label(url: URL) -> str:
    user = url.username or ""
    sock = url.query.get("unix_socket")
    if isinstance(sock, tuple):
        sock = sock[0] if sock else None
    if sock:
        where = str(sock)
        return f"{user}@{where}/{url.database}"
    host = url.host or "localhost"
    if ":" in host:
        host = f"[{host}]"
    return f"{user}@{host}:{url.port or 3306}/{url.database}"


def label_for(url: URL) -> str:
    """Where a URL points, for people and the journal; never the password."""
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return _mysql_label(url)


_NAME_RE = re.compile(r"^[A-Za-z0-9_]{1,64}$")


def wordpress_charset(charset: str | None, collate: str | None) -> tuple[str, str | None]:
    """The connection's character set and collation as wpdb::determine_charset() makes
    them from DB_CHARSET and DB_COLLATE: 'utf8' is taken up to 'utf8mb4', and utf8mb4's
    empty or utf8_general_ci collation to utf8mb4_unicode_ci (which ``_mysql_engine``
    takes on to utf8mb4_unicode_520_ci where the server has it, as WordPress does).
    An empty DB_CHARSET means WordPress's default, utf8mb4."""
    cs = (charset or "").strip() or "utf8mb4"
    co = (collate or "").strip()
    if cs == "utf8":
        cs = "utf8mb4"
    if cs == "utf8mb4":
        co = (
            "utf8mb4_unicode_ci"
            if co in ("", "utf8_general_ci")
            else co.replace("utf8_", "utf8mb4_")
        )
    return cs, co or None


def _check_charset(charset: str, collate: str | None, origin: str) -> None:
    from pymysql.charset import charset_by_name

    if not _NAME_RE.match(charset) or charset_by_name(charset) is None:
        raise ConfigError(f"{origin}: {charset!r} is not a MySQL character set pingdesk knows")
    if collate is not None and not _NAME_RE.match(collate):
        raise ConfigError(f"{origin}: {collate!r} is not a collation name")


def _mysql_url(
    *,
    user: str,
    password: str | None,
    host: str,
    port: int | None,
    socket: str | None,
    database: str,
    query: Mapping[str, str] | None = None,
    charset: str = "utf8mb4",
) -> URL:
    q = {k: v for k, v in (query or {}).items() if k not in ("charset", "collation", "unix_socket")}
    q["charset"] = charset
    if socket is None and host in ("", "localhost"):
        # As in mysqli: 'localhost' means the Unix socket, not TCP to 127.0.0.1.
        socket = default_socket()
    if socket:
        q["unix_socket"] = socket
        host, port = "localhost", None
    return URL.create(
        MYSQL_DRIVER,
        username=user,
        password=password,
        host=host or None,
        port=port,
        database=database,
        query=q,
    )


def parse_db_url(value: str, *, cwd: Path | None = None) -> URL:
    """A --db value as a SQLAlchemy URL: MySQL/MariaDB over PyMySQL, or a SQLite file.

    Accepts ``mysql://``, ``mysql+pymysql://``, ``mariadb://``, ``sqlite:///path``
    and a plain path to an existing SQLite file.
    """
    text = value.strip()
    base = cwd or Path.cwd()
    if "://" not in text:
        p = Path(text).expanduser()
        p = p if p.is_absolute() else base / p
        if p.is_file():
            return URL.create("sqlite", database=str(p))
        raise ConfigError(
            f"invalid database URL {_redact(text)!r}: expected mysql://USER:PASSWORD@HOST/DB, "
            "mariadb://..., or sqlite:///PATH"
        )
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+._-]*)://", text)
    backend_name = scheme.group(1).split("+", 1)[0].lower() if scheme else ""
    if backend_name not in SUPPORTED_SCHEMES:
        # Checked before SQLAlchemy sees it: postgres:// would otherwise end in
        # NoSuchModuleError (or a driver import) when the engine is made.
        raise ConfigError(
            f"pingdesk supports MySQL/MariaDB and SQLite (got {_shorten(_redact(text))})"
        )
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"invalid database URL {_redact(text)!r}: expected mysql://USER:PASSWORD@HOST/DB, "
            "mariadb://..., or sqlite:///PATH"
        ) from None
    backend, driver = url.get_backend_name(), url.get_driver_name()
    if backend == "sqlite":
        if driver not in ("pysqlite", "sqlite"):
            raise ConfigError(f"unsupported SQLite driver {url.drivername!r}: use sqlite:///PATH")
        db = url.database
        if not db or db == ":memory:" or db.startswith("file:"):
            raise ConfigError("a sqlite:/// URL needs a file path, e.g. sqlite:///path/.ht.sqlite")
        p = Path(db).expanduser()
        return URL.create("sqlite", database=str(p if p.is_absolute() else base / p))
    if backend in ("mysql", "mariadb"):
        if driver not in ("pymysql", "mysqldb", "mariadbconnector", "mysql", "mariadb"):
            raise ConfigError(
                f"unsupported MySQL driver {url.drivername!r}: use mysql:// or mariadb://"
            )
        if not url.database:
            raise ConfigError(
                f"database URL {_redact(text)!r} names no database: add /DBNAME after the host"
            )
        sock = url.query.get("unix_socket")
        if isinstance(sock, tuple):
            sock = sock[-1] if sock else None
        extra = {k: v for k, v in url.query.items() if isinstance(v, str)}
        charset, _ = wordpress_charset(extra.get("charset"), extra.get("collation"))
        _check_charset(charset, extra.get("collation"), f"database URL {_redact(text)!r}")
        return _mysql_url(
            charset=charset,
            user=url.username or "",
            password=url.password,
            host=url.host or "",
            port=url.port,
            socket=sock or None,
            database=url.database,
            query=extra,
        )
    raise ConfigError(f"pingdesk supports MySQL/MariaDB and SQLite (got {_shorten(_redact(text))})")


def with_password(url: URL, password: str | None) -> URL:
    return (
        url
        if password is None or url.get_backend_name() == "sqlite"
        else url.set(password=password)
    )


# --------------------------------------------------------------------------- resolving


def target_from_wp_config(
    path: Path, env: Mapping[str, str], source: str, *, site_url: str | None = None
) -> Target:
    """The database a wp-config.php names (read as text, never executed).

    ``site_url`` is the site's address (WP-CLI's --url), which Debian's packaged
    wp-config.php needs to choose its /etc/wordpress/config-<host>.php.
    """
    cfg: WPConfig = parse_wp_config(path, env=env, url=site_url)
    collation = None
    if cfg.is_sqlite:
        url = URL.create("sqlite", database=str(cfg.sqlite_path))
    else:
        # Checked in wp-config.php's own order, so the first complaint is the first gap.
        name, user, password = cfg.db_name, cfg.db_user, cfg.db_password
        host = cfg.db_host_parts
        charset, collation = wordpress_charset(cfg.db_charset, cfg.get_str("DB_COLLATE"))
        _check_charset(charset, collation, cfg.where("DB_CHARSET"))
        url = _mysql_url(
            charset=charset,
            user=user,
            password=password,
            host=host.host,
            port=host.port,
            socket=host.socket,
            database=name,
        )
    return Target(
        url=url,
        collation=collation,
        prefix=cfg.prefix if cfg.prefix is not None else DEFAULT_PREFIX,
        label=label_for(url),
        akismet_key=cfg.wpcom_api_key,
        multisite=cfg.multisite,
        subdomain_install=cfg.subdomain_install,
        domain_current_site=cfg.domain_current_site,
        path_current_site=cfg.path_current_site,
        blog_id_current_site=cfg.blog_id_current_site,
        wp_config=cfg.path,
        source=source,
    )


def target_from_db(value: str, cwd: Path, source: str) -> Target:
    """The database a URL names (mysql://, mariadb://, sqlite:///)."""
    url = parse_db_url(value, cwd=cwd)
    target = Target(url=url, prefix=DEFAULT_PREFIX, label=label_for(url), source=source)
    if not target.is_sqlite:
        query = make_url(value.strip()).query
        given = query.get("collation")
        _, target.collation = wordpress_charset(
            str(url.query.get("charset")), given if isinstance(given, str) else None
        )
    return target


def wp_config_path(value: str, cwd: Path) -> Path:
    """A wp-config.php given as a file or as its WordPress folder."""
    p = Path(value).expanduser()
    p = p if p.is_absolute() else cwd / p
    if p.is_dir() and p.suffix != ".php":
        # A WordPress folder is as good as its wp-config.php.
        found = find_wp_config(p)
        if found is None:
            raise ConfigError(f"{p}: no wp-config.php in this folder or the one above it")
        return found
    return p


# --------------------------------------------------------------------------- connecting


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _mysql_where(url: URL) -> str:
    sock = url.query.get("unix_socket")
    if sock:
        return f"{sock if isinstance(sock, str) else sock[0]}"
    host = url.host or "localhost"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{url.port or 3306}"


def _driver_error(exc: BaseException) -> tuple[int | None, str]:
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    args: tuple[Any, ...] = tuple(getattr(orig, "args", ()))
    if len(args) >= 2 and isinstance(args[0], int):
        return args[0], _one_line(str(args[1]))
    return None, _one_line(str(orig) or type(orig).__name__)


def _mysql_failure(target: Target, exc: BaseException) -> ConnectError | DatabaseUnavailable:
    """One line for a failed MariaDB/MySQL connection: unavailable (worth retrying:
    the server is down or unreachable) or unusable (wrong password, no such database)."""
    url = target.url
    code, text = _driver_error(exc)
    user = url.username or "(no user)"
    where = f"cannot connect to MariaDB/MySQL at {_mysql_where(url)} as {user}"
    if code in (1045, 1698):
        why = "access denied (wrong password?)"
    elif code == 1044:
        why = f"access denied to database {url.database!r} (missing GRANT?)"
    elif code == 1049:
        return ConnectError(
            f"{where}: unknown database {url.database!r} (check DB_NAME or the URL's /DBNAME)"
        )
    elif code == 1130:
        why = "this host is not allowed to connect to the server"
    elif code in (2002, 2003, 2005, 2006, 2013):
        m = re.search(r"\((?:\[Errno -?\d+\] )?([^()]*)\)\s*$", text)
        reason = m.group(1).strip() if m else text
        reason = reason or "no answer"
        if "timed out" in reason.lower():
            reason = "timed out"
        why = f"server unreachable ({reason})"
        if url.query.get("unix_socket"):
            # 'localhost' silently means the socket; say how to get TCP instead.
            why += "; for TCP give the host as 127.0.0.1"
        return DatabaseUnavailable(f"{where}: {why}")
    else:
        why = text
    return ConnectError(f"{where}: {why}")


def _check_sqlite_file(target: Target) -> Path:
    path = target.sqlite_path
    if path is None:
        raise ConnectError("no SQLite database file given")
    origin = f" (from {target.wp_config})" if target.wp_config else ""
    if not path.exists():
        raise ConnectError(f"SQLite database file not found: {path}{origin}")
    if path.is_dir():
        raise ConnectError(f"not a SQLite database file: {path} is a directory{origin}")
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ConnectError(f"cannot read SQLite database {path}: {exc.strerror or exc}") from None
    # An empty file is a valid empty database to SQLite, but never a WordPress one.
    if head and head != SQLITE_HEADER:
        raise ConnectError(f"not a SQLite database file: {path}{origin}")
    if not head:
        raise ConnectError(f"not a WordPress database: {path} is an empty file{origin}")
    return path


def _sqlite_engine(path: Path) -> Engine:
    uri = "file:" + _sqlite_uri_path(path) + "?mode=rw"

    def creator() -> sqlite3.Connection:
        # mode=rw: never create a missing file (a typo must not make an empty blog).
        return sqlite3.connect(uri, uri=True, timeout=5.0, check_same_thread=False)

    engine = create_engine(
        URL.create("sqlite", database=str(path)), creator=creator, pool_pre_ping=True
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # WordPress may be writing at the same moment: wait for its lock, don't fail.
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 5000")
        cur.close()

    return engine


def _sqlite_uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path), safe="/")


_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def mysql_connect_args(url: URL) -> dict[str, Any]:
    """What PyMySQL is given besides the URL."""
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT}
    if url.password is not None:
        # PyMySQL encodes a str password as Latin-1; PHP sends wp-config.php's
        # UTF-8 bytes. Passing bytes makes 'é' in a password work like in WordPress.
        connect_args["password"] = str(url.password).encode("utf-8")
    local = "unix_socket" in url.query or (url.host or "localhost") in _LOOPBACK_HOSTS
    if local and not any(k.startswith("ssl") for k in url.query):
        # PyMySQL >= 2.2 tries TLS on every connection unless told not to, loading the
        # system's CA bundle each time (~25 ms per command). To a database on this very
        # machine TLS protects nothing; WordPress's mysqli does not use it either.
        # A remote server keeps PyMySQL's opportunistic TLS; ?ssl_* in the URL as given.
        connect_args["ssl_disabled"] = True
    return connect_args


def _mysql_engine(url: URL, collation: str | None = None) -> Engine:
    connect_args = mysql_connect_args(url)
    engine = create_engine(
        url,
        pool_pre_ping=True,
        isolation_level="READ COMMITTED",
        connect_args=connect_args,
    )
    if collation:

        @event.listens_for(engine, "connect")
        def _set_names(dbapi_conn: Any, _record: Any) -> None:
            # wpdb::set_charset(): SET NAMES charset COLLATE collate, with
            # utf8mb4_unicode_ci taken up to _520_ where the server has it (MySQL
            # 5.6+, every MariaDB), so string comparisons match WordPress's.
            chosen = collation
            if chosen == "utf8mb4_unicode_ci" and _has_unicode_520(dbapi_conn):
                chosen = "utf8mb4_unicode_520_ci"
            cur = dbapi_conn.cursor()
            try:
                cur.execute("SET NAMES %s COLLATE %s", (dbapi_conn.charset, chosen))
            finally:
                cur.close()

    return engine


def _has_unicode_520(dbapi_conn: Any) -> bool:
    info = str(dbapi_conn.get_server_info())
    if "mariadb" in info.lower():
        return True
    m = re.match(r"(\d+)\.(\d+)", info)
    return m is not None and (int(m.group(1)), int(m.group(2))) >= (5, 6)


def _db_name(target: Target) -> str:
    if target.is_sqlite:
        return str(target.sqlite_path)
    return str(target.url.database)


def _found_prefixes(names: set[str]) -> list[str]:
    comments = {n[: -len("comments")] for n in names if n.endswith("comments")}
    options = {n[: -len("options")] for n in names if n.endswith("options")}
    return sorted(p for p in comments & options if p)


def _check_tables(conn: Connection, target: Target, prefix: str, names: set[str]) -> None:
    where = f"db {_db_name(target)!r}" if not target.is_sqlite else f"{_db_name(target)}"
    missing = [f"{prefix}{t}" for t in REQUIRED_COLUMNS if f"{prefix}{t}" not in names]
    if missing:
        found = _found_prefixes(names)
        if found:
            shown = ", ".join(found[:12]) + (
                f" and {len(found) - 12} more" if len(found) > 12 else ""
            )
            if f"{prefix}comments" in names or f"{prefix}options" in names:
                raise ConnectError(
                    f"WordPress tables with prefix {prefix!r} in {where} are incomplete: "
                    f"missing {', '.join(missing)}"
                )
            raise ConnectError(
                f"no WordPress tables with prefix {prefix!r} in {where}; prefixes found: {shown}"
            )
        if any(n.endswith(("comments", "options")) for n in names):
            raise ConnectError(
                f"not a WordPress database: {where} has no matching *options and *comments tables"
            )
        raise ConnectError(f"not a WordPress database: no *options/*comments tables in {where}")
    columns = _columns_of(conn, [f"{prefix}{short}" for short in REQUIRED_COLUMNS])
    for short, wanted in REQUIRED_COLUMNS.items():
        table = f"{prefix}{short}"
        have = columns.get(table, set())
        lacking = [c for c in wanted if c.lower() not in have]
        if lacking:
            raise ConnectError(
                f"not a WordPress database: table {table} in {where} lacks {', '.join(lacking)}"
            )


def _columns_of(conn: Connection, tables: list[str]) -> dict[str, set[str]]:
    """Lower-case column names per table. On MySQL one information_schema query (every
    command connects: SQLAlchemy's reflection took a query and ~10 ms per table)."""
    if conn.dialect.name == "sqlite":
        insp = inspect(conn)
        return {t: {c["name"].lower() for c in insp.get_columns(t)} for t in tables}
    found: dict[str, set[str]] = {t: set() for t in tables}
    rows = conn.execute(
        text(
            "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN :tables"
        ).bindparams(bindparam("tables", expanding=True)),
        {"tables": tables},
    )
    for table, column in rows:
        if table in found:
            found[table].add(str(column).lower())
    return found


def _table_names(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def connect(target: Target) -> Blog:
    """Open the target's database and check it is WordPress; ConnectError if not."""
    if target.is_sqlite:
        path = _check_sqlite_file(target)
        engine = _sqlite_engine(path)
    else:
        try:
            engine = _mysql_engine(target.url, target.collation)
        except (SQLAlchemyError, ImportError) as exc:
            raise ConnectError(f"cannot use {target.label}: {_one_line(str(exc))}") from None
    try:
        return _validate(engine, target)
    except (ConnectError, ConfigError, NotFound, DatabaseUnavailable):
        engine.dispose()
        raise
    except Exception as exc:
        # Last net: whatever the driver or the OS throws, the user gets one line.
        engine.dispose()
        raise ConnectError(
            f"cannot use {target.label}: {type(exc).__name__}: {_one_line(str(exc))}"
        ) from None
    except BaseException:
        engine.dispose()
        raise


def _open(engine: Engine, target: Target) -> Connection:
    try:
        return engine.connect()
    except DBAPIError as exc:
        if target.is_sqlite:
            _, text = _driver_error(exc)
            raise ConnectError(
                f"cannot open SQLite database {target.sqlite_path}: {text}"
            ) from None
        raise _mysql_failure(target, exc) from None
    except SQLAlchemyError as exc:
        raise ConnectError(f"cannot connect to {target.label}: {_one_line(str(exc))}") from None
    except RuntimeError as exc:
        # PyMySQL raises a bare RuntimeError when MySQL 8's default
        # caching_sha2_password needs RSA over plain TCP and 'cryptography' is absent.
        if "cryptography" not in str(exc) or target.is_sqlite:
            raise
        raise ConnectError(
            f"cannot connect to MariaDB/MySQL at {_mysql_where(target.url)} as "
            f"{target.url.username}: the server's sha256/caching_sha2 login needs the "
            "'cryptography' package (pip install 'pymysql[rsa]'), or use the Unix socket"
        ) from None


def _validate(engine: Engine, target: Target) -> Blog:
    conn = _open(engine, target)
    try:
        with conn:
            names = _table_names(conn)
            _check_tables(conn, target, target.prefix, names)
            base = target.prefix
            sites = _network_sites(conn, target, base, names)
            is_network = bool(sites)
            site_id: int | None = None
            prefix = base
            if sites:
                chosen = _choose_site(sites, target)
                site_id = chosen.blog_id
                prefix = chosen.prefix
            elif target.site not in (None, "1"):
                raise ConnectError(
                    f"--site {target.site!r} given, but {target.label} is not a "
                    f"multisite network (no sites in {base}blogs)"
                )
            if prefix != base:
                _check_tables(conn, target, prefix, names)
    except DBAPIError as exc:
        if target.is_sqlite:
            _, text = _driver_error(exc)
            if "not a database" in text or "malformed" in text:
                raise ConnectError(f"not a SQLite database file: {target.sqlite_path}") from None
            if "locked" in text or "busy" in text:
                # Another writer held it past the busy wait: worth retrying (exit 3).
                raise DatabaseUnavailable(
                    f"SQLite database {target.sqlite_path} is locked by another program "
                    f"past the wait: {text}"
                ) from None
            raise ConnectError(
                f"cannot read SQLite database {target.sqlite_path}: {text}"
            ) from None
        raise _mysql_failure(target, exc) from None
    except SQLAlchemyError as exc:
        raise ConnectError(f"cannot read {target.label}: {_one_line(str(exc))}") from None
    return Blog(
        engine=engine,
        tables=Tables(prefix, base),
        label=target.label,
        site_id=site_id,
        akismet_key=target.akismet_key,
        multisite=is_network,
        wp_config=target.wp_config,
    )


# --------------------------------------------------------------------------- multisite


def _options_table(prefix: str) -> Table:
    return Table(
        f"{prefix}options",
        MetaData(),
        Column("option_name", Text),
        Column("option_value", Text),
    )


def _network_sites(
    conn: Connection, target: Target, base: str, names: set[str]
) -> list[NetworkSite]:
    """The network's sites, or [] for a single site.

    WordPress decides by the MULTISITE constant; without a wp-config.php, an
    empty or missing {base}blogs table means a single site (the schema helpers
    create an empty one, and a network always lists its main site).
    """
    if f"{base}blogs" not in names:
        return []
    if target.wp_config is not None and not target.multisite:
        return []
    return _list_sites(conn, base, names, options=False)


def _list_sites(
    conn: Connection, base_prefix: str, names: set[str], *, options: bool = True
) -> list[NetworkSite]:
    blogs = Tables(base_prefix, base_prefix).blogs
    have = {c["name"].lower() for c in inspect(conn).get_columns(blogs.name)}
    lacking = [c for c in BLOGS_COLUMNS if c not in have]
    if lacking:
        raise ConnectError(
            f"table {blogs.name} lacks {', '.join(lacking)}: not a WordPress network"
        )
    flags = [c for c in ("deleted", "archived", "spam") if c in have]
    rows = conn.execute(
        select(
            blogs.c.blog_id, blogs.c.domain, blogs.c.path, *[blogs.c[f] for f in flags]
        ).order_by(blogs.c.blog_id)
    ).all()
    sites: list[NetworkSite] = []
    for row in rows:
        blog_id = int(row.blog_id)
        prefix = site_prefix(base_prefix, blog_id)
        name = home = None
        # One query per site: only when asked, so connecting to one site of a
        # large network does not read every site's options.
        if options and f"{prefix}options" in names:
            opt = _options_table(prefix)
            found = dict(
                conn.execute(
                    select(opt.c.option_name, opt.c.option_value).where(
                        opt.c.option_name.in_(("blogname", "home"))
                    )
                ).all()
            )
            name, home = found.get("blogname"), found.get("home")
        sites.append(
            NetworkSite(
                blog_id=blog_id,
                domain=str(row.domain),
                path=str(row.path),
                prefix=prefix,
                name=name,
                home=home,
                **{f: bool(int(getattr(row, f) or 0)) for f in flags},
            )
        )
    return sites


def list_sites(
    blog_or_engine: Blog | Engine, base_prefix: str | None = None, *, options: bool = True
) -> list[NetworkSite]:
    """The sites of a multisite network, by blog id; [] for a single site. ``options``:
    each site's name and home too (a query per site)."""
    if isinstance(blog_or_engine, Blog):
        engine = blog_or_engine.engine
        base = base_prefix or blog_or_engine.tables.base_prefix
    else:
        engine = blog_or_engine
        base = base_prefix or DEFAULT_PREFIX
    validate_prefix(base)
    try:
        with engine.connect() as conn:
            names = _table_names(conn)
            if f"{base}blogs" not in names:
                return []
            return _list_sites(conn, base, names, options=options)
    except (ConnectError, NotFound):
        raise
    except (SQLAlchemyError, RuntimeError, OSError) as exc:
        raise ConnectError(f"cannot list the sites: {_driver_error(exc)[1]}") from None


def _norm_path(path: str) -> str:
    path = "/" + path.strip("/")
    return path if path == "/" else path + "/"


def _choose_site(sites: list[NetworkSite], target: Target) -> NetworkSite:
    wanted = (target.site or "").strip()
    if not wanted:
        main = target.blog_id_current_site or 1
        for s in sites:
            if s.blog_id == main:
                return s
        if sites:
            return sites[0]
        raise ConnectError(f"the {target.prefix}blogs table of {target.label} lists no sites")
    if wanted.isdigit():
        matches = [s for s in sites if s.blog_id == int(wanted)]
    else:
        addr = re.sub(r"^[a-z][a-z0-9+.-]*://", "", wanted, flags=re.IGNORECASE)
        domain, _, path = addr.partition("/")
        domain = domain.lower()
        by_domain = [s for s in sites if s.domain.lower() == domain]
        if path:
            matches = [s for s in by_domain if _norm_path(s.path) == _norm_path(path)]
        else:
            root = [s for s in by_domain if _norm_path(s.path) == "/"]
            matches = root or by_domain
    if len(matches) == 1:
        return matches[0]
    shown = ", ".join(f"{s.blog_id}={s.address}" for s in sites[:20])
    more = f" and {len(sites) - 20} more" if len(sites) > 20 else ""
    if not matches:
        raise NotFound(f"no site {wanted!r} in this network; sites: {shown}{more}")
    listed = ", ".join(f"{s.blog_id}={s.address}" for s in matches)
    raise NotFound(f"site {wanted!r} is ambiguous: {listed}; pass the blog id or domain/path")
