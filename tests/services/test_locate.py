"""Finding and opening a blog's database: precedence (pingdesk.services.locate), URLs
and real MariaDB and SQLite failures (pingdesk.wp.connect).

MariaDB tests make their own throwaway databases and users named ``pd_conn_*`` and
drop them afterwards. When MariaDB does not answer they FAIL (``bash .ci/test``
starts it); nothing here is skipped.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pymysql
import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import Engine

from pingdesk.config import Config, Profile, save_profile
from pingdesk.errors import (
    ConfigError,
    ConnectError,
    DatabaseUnavailable,
    NotFound,
    PingdeskError,
    UsageError,
)
from pingdesk.services.locate import NOT_FOUND_MESSAGE, resolve_target
from pingdesk.wp.blog import Blog
from pingdesk.wp.connect import (
    Target,
    connect,
    default_socket,
    list_sites,
    parse_db_url,
)
from pingdesk.wp.schema import Tables

HOST = os.environ.get("PINGDESK_TEST_MYSQL_HOST", "127.0.0.1")
PORT = int(os.environ.get("PINGDESK_TEST_MYSQL_PORT", "3306"))
ROOT = os.environ.get("PINGDESK_TEST_MYSQL_USER", "root")
ROOT_PASSWORD = os.environ.get("PINGDESK_TEST_MYSQL_PASSWORD", "")
# Characters that break naive URL or PHP handling.
USER_PASSWORD = "p@ss:w/rd#1?%'\"é"

WP_CONFIG = """<?php
define( 'DB_NAME', '{db}' );
define( 'DB_USER', '{user}' );
define( 'DB_PASSWORD', '{password}' );
define( 'DB_HOST', '{host}' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
{extra}
$table_prefix = '{prefix}';
if ( ! defined( 'ABSPATH' ) ) {{
	define( 'ABSPATH', __DIR__ . '/' );
}}
require_once ABSPATH . 'wp-settings.php';
"""


def php_quote(s: str) -> str:
    return s.replace("\\", "\\\\").replace("'", "\\'")


def write_wp_config(
    folder: Path,
    *,
    db: str = "blog",
    user: str = "wpuser",
    password: str = "secret",
    host: str = "localhost",
    prefix: str = "wp_",
    extra: str = "",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / "wp-config.php"
    p.write_text(
        WP_CONFIG.format(
            db=db,
            user=user,
            password=php_quote(password),
            host=host,
            prefix=prefix,
            extra=extra,
        ),
        encoding="utf-8",
    )
    return p


def one_line(exc: pytest.ExceptionInfo[BaseException], *needles: str) -> str:
    assert isinstance(exc.value, PingdeskError), repr(exc.value)
    msg = str(exc.value)
    assert msg and "\n" not in msg and "Traceback" not in msg, msg
    for needle in needles:
        assert needle in msg, (needle, msg)
    assert USER_PASSWORD not in msg and "secret" not in msg, msg
    return msg


def resolve(**kw: object) -> Target:
    kw.setdefault("env", {})
    kw.setdefault("config", Config())
    return resolve_target(**kw)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Never read the real user's config.toml, and no walking up into a real WordPress.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.chdir(tmp_path)


# --------------------------------------------------------------------------- --db URLs


@pytest.mark.parametrize(
    ("url", "host", "port", "charset"),
    [
        ("mysql://u:pw@db.example/blog", "db.example", None, "utf8mb4"),
        ("mysql+pymysql://u:pw@db.example:3307/blog", "db.example", 3307, "utf8mb4"),
        ("mariadb://u:pw@10.0.0.5/blog", "10.0.0.5", None, "utf8mb4"),
        ("mariadb+pymysql://u:pw@[::1]:3310/blog", "::1", 3310, "utf8mb4"),
        # A charset the URL asks for is used; 'utf8' becomes utf8mb4 as in WordPress.
        ("mysql://u:pw@db.example/blog?charset=latin1", "db.example", None, "latin1"),
        ("mysql://u:pw@db.example/blog?charset=utf8", "db.example", None, "utf8mb4"),
    ],
)
def test_db_url_normalised_to_pymysql(url: str, host: str, port: int | None, charset: str) -> None:
    u = parse_db_url(url)
    assert u.drivername == "mysql+pymysql"
    assert u.query["charset"] == charset
    assert (u.username, u.password, u.host, u.port, u.database) == ("u", "pw", host, port, "blog")
    assert "unix_socket" not in u.query


@pytest.mark.parametrize("url", ["mysql://u@localhost/blog", "mysql:///blog", "mariadb://u@/blog"])
def test_localhost_means_the_socket(url: str) -> None:
    u = parse_db_url(url)
    assert u.query["unix_socket"] == default_socket()


def test_explicit_socket_in_url() -> None:
    u = parse_db_url("mysql://u@localhost/blog?unix_socket=/tmp/other.sock")
    assert u.query["unix_socket"] == "/tmp/other.sock"


def test_sqlite_urls(tmp_path: Path) -> None:
    assert parse_db_url("sqlite:////abs/x.sqlite").database == "/abs/x.sqlite"
    assert parse_db_url("sqlite:///rel/x.sqlite", cwd=tmp_path).database == str(
        tmp_path / "rel/x.sqlite"
    )
    f = tmp_path / ".ht.sqlite"
    f.write_bytes(b"")
    assert parse_db_url(".ht.sqlite", cwd=tmp_path).database == str(f)


@pytest.mark.parametrize(
    ("url", "needles"),
    [
        (
            "postgresql://u:topsecret@h/db",
            ["pingdesk supports MySQL/MariaDB and SQLite (got postgresql://u:***@h/db)"],
        ),
        ("postgres://u:top@secret@h/db", ["supports MySQL/MariaDB and SQLite", "u:***@h/db"]),
        ("oracle+cx_oracle://u:topsecret@h/db", ["supports MySQL/MariaDB", "oracle+cx_oracle"]),
        ("mssql://u:topsecret@h/db", ["supports MySQL/MariaDB", "mssql://"]),
        ("redis://h", ["supports MySQL/MariaDB and SQLite (got redis://h)"]),
        ("mysql+mysqlconnector://u@h/db", ["unsupported MySQL driver"]),
        ("mysql://u:topsecret@h", ["names no database", "u:***@h"]),
        ("sqlite://", ["needs a file path"]),
        ("sqlite:///:memory:", ["needs a file path"]),
        ("no-such-file.sqlite", ["invalid database URL", "mysql://"]),
        ("mysql://u:topsecret@h:notaport/db", ["invalid database URL", "u:***@"]),
    ],
)
def test_bad_db_urls(url: str, needles: list[str]) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_db_url(url)
    msg = one_line(exc, *needles)
    assert "topsecret" not in msg and "secret@" not in msg


def test_label_and_repr_hide_the_password() -> None:
    t = resolve(db="mysql://wpuser:topsecret@db.example:3307/blog")
    assert t.label == "wpuser@db.example:3307/blog"
    assert "topsecret" not in repr(t) and "topsecret" not in t.label
    assert t.url.password == "topsecret"
    sock = resolve(db="mysql://wpuser:topsecret@localhost/blog")
    assert sock.label == f"wpuser@{default_socket()}/blog"
    assert resolve(db="mysql://u@[2001:db8::1]/b").label == "u@[2001:db8::1]:3306/b"


# --------------------------------------------------------------------------- wp-config.php


@pytest.mark.parametrize(
    ("db_host", "host", "port", "socket"),
    [
        ("localhost", "localhost", None, "default"),
        ("localhost:3307", "localhost", None, "default"),  # mysqli ignores the port there
        ("127.0.0.1:3307", "127.0.0.1", 3307, None),
        ("db.example", "db.example", None, None),
        ("localhost:/var/lib/mysql/mysql.sock", "localhost", None, "/var/lib/mysql/mysql.sock"),
        (":/tmp/mysql.sock", "localhost", None, "/tmp/mysql.sock"),
        ("[::1]:3307", "::1", 3307, None),
    ],
)
def test_db_host_forms(
    tmp_path: Path, db_host: str, host: str, port: int | None, socket: str | None
) -> None:
    p = write_wp_config(tmp_path / "site", host=db_host, password=USER_PASSWORD)
    t = resolve(wp_config=str(p))
    u = t.url
    assert (u.drivername, u.host, u.port, u.database) == ("mysql+pymysql", host, port, "blog")
    assert u.username == "wpuser" and u.password == USER_PASSWORD
    assert u.query["charset"] == "utf8mb4"
    want_socket = default_socket() if socket == "default" else socket
    assert u.query.get("unix_socket") == want_socket
    assert t.prefix == "wp_" and t.wp_config == p and t.source == "--wp-config"


def test_wp_config_extras(tmp_path: Path) -> None:
    extra = (
        "define('WPCOM_API_KEY', 'abc123');\n"
        "define('MULTISITE', true);\ndefine('SUBDOMAIN_INSTALL', true);\n"
        "define('DOMAIN_CURRENT_SITE', 'net.example');\ndefine('PATH_CURRENT_SITE', '/');\n"
        "define('BLOG_ID_CURRENT_SITE', 3);"
    )
    t = resolve(wp_config=str(write_wp_config(tmp_path, extra=extra, prefix="net_")))
    assert t.akismet_key == "abc123"
    assert t.multisite and t.subdomain_install
    assert (t.domain_current_site, t.path_current_site, t.blog_id_current_site) == (
        "net.example",
        "/",
        3,
    )
    assert t.prefix == "net_"


def test_url_picks_the_site_of_a_network_like_wp_cli(tmp_path: Path) -> None:
    network = write_wp_config(tmp_path / "net", extra="define('MULTISITE', true);")
    single = write_wp_config(tmp_path / "one")
    assert resolve(wp_config=str(network), url="https://shop.example/").site == (
        "https://shop.example/"
    )
    assert resolve(wp_config=str(network), url="shop.example", site="2").site == "2"
    assert resolve(wp_config=str(network), env={"PINGDESK_URL": "a.example"}).site == "a.example"
    # A single site has no sites to pick; --url only names the host there.
    assert resolve(wp_config=str(single), url="shop.example").site is None
    prof = Config(profiles={"p": Profile(wp_config=str(network), url="b.example/blog/")})
    assert resolve(profile="p", config=prof).site == "b.example/blog/"


def test_wp_config_folder_is_accepted(tmp_path: Path) -> None:
    p = write_wp_config(tmp_path / "site")
    assert resolve(wp_config=str(tmp_path / "site")).wp_config == p
    with pytest.raises(ConfigError) as exc:
        (tmp_path / "empty").mkdir()
        resolve(wp_config=str(tmp_path / "empty"))
    one_line(exc, "no wp-config.php")


def test_wp_config_sqlite(tmp_path: Path) -> None:
    p = write_wp_config(tmp_path / "site", extra="define('DB_ENGINE', 'sqlite');")
    t = resolve(wp_config=str(p))
    assert t.is_sqlite
    assert t.sqlite_path == tmp_path / "site/wp-content/database/.ht.sqlite"
    assert t.label == str(tmp_path / "site/wp-content/database/.ht.sqlite")


@pytest.mark.parametrize(
    ("config", "needles"),
    [
        ("<?php\n$table_prefix = 'wp_';\n", ["DB_NAME is not defined"]),
        ("<?php\ndefine('DB_NAME', 'x'\n", ["wp-config.php:3", "syntax error in define()"]),
        ("<?php define('DB_NAME','b'); define('DB_USER','u'); define('DB_PASSWORD','p');"
         "define('DB_HOST','h'); $table_prefix = 'bad-prefix';", ["invalid table prefix"]),
    ],
)  # fmt: skip
def test_bad_wp_configs(tmp_path: Path, config: str, needles: list[str]) -> None:
    p = tmp_path / "wp-config.php"
    p.write_text(config)
    with pytest.raises(ConfigError) as exc:
        resolve(wp_config=str(p))
    one_line(exc, *needles)


def test_unreadable_wp_config(tmp_path: Path) -> None:
    (tmp_path / "site/wp-config.php").mkdir(parents=True)
    with pytest.raises(ConfigError) as exc:
        resolve(wp_config=str(tmp_path / "site/wp-config.php"))
    one_line(exc, "wp-config.php", "is a directory")
    with pytest.raises(ConfigError) as exc:
        resolve(wp_config=str(tmp_path / "missing/wp-config.php"))
    one_line(exc, "missing/wp-config.php", "no such file")


# --------------------------------------------------------------------------- precedence


@pytest.fixture
def world(tmp_path: Path) -> dict[str, object]:
    """A cwd inside a WordPress, env variables and profiles that all point elsewhere."""
    cwd_site = tmp_path / "cwd-site"
    write_wp_config(cwd_site, db="from_cwd", prefix="cwd_")
    (cwd_site / "wp-content/plugins").mkdir(parents=True)
    env_site = write_wp_config(tmp_path / "env-site", db="from_env_wp_config", prefix="envwp_")
    prof_site = write_wp_config(tmp_path / "prof-site", db="from_profile", prefix="prof_")
    cfg = Config(
        profiles={
            "named": Profile(wp_config=str(prof_site), site="7"),
            "default": Profile(db="mysql://d:pw@h/from_default_profile", prefix="dflt_"),
            "envprof": Profile(db="mysql://e:pw@h/from_env_profile"),
        },
        default_profile="default",
    )
    env = {
        "PINGDESK_DB": "mysql://x:pw@h/from_env_db",
        "PINGDESK_WP_CONFIG": str(env_site),
        "PINGDESK_PROFILE": "envprof",
    }
    return {"cwd": cwd_site / "wp-content/plugins", "config": cfg, "env": env}


def db_of(t: Target) -> str | None:
    return t.url.database


def test_precedence_chain(world: dict[str, object], tmp_path: Path) -> None:
    cwd, cfg = world["cwd"], world["config"]
    env = dict(world["env"])  # type: ignore[call-overload]
    explicit = write_wp_config(tmp_path / "explicit", db="from_flag")
    common = {"cwd": cwd, "config": cfg}
    assert db_of(resolve(db="mysql://a@h/from_flag_db", env=env, **common)) == "from_flag_db"
    assert db_of(resolve(wp_config=str(explicit), env=env, **common)) == "from_flag"
    t = resolve(profile="named", env=env, **common)
    assert (db_of(t), t.source) == ("from_profile", "profile 'named'")
    t = resolve(env=env, **common)
    assert (db_of(t), t.source) == ("from_env_db", "$PINGDESK_DB")
    del env["PINGDESK_DB"]
    assert db_of(resolve(env=env, **common)) == "from_env_wp_config"
    del env["PINGDESK_WP_CONFIG"]
    assert db_of(resolve(env=env, **common)) == "from_env_profile"
    del env["PINGDESK_PROFILE"]
    t = resolve(env=env, **common)
    assert (db_of(t), t.source, t.prefix) == ("from_default_profile", "profile 'default'", "dflt_")
    t = resolve(env=env, cwd=cwd, config=Config())
    assert (db_of(t), t.prefix) == ("from_cwd", "cwd_")
    assert t.source.startswith("found ") and t.wp_config == tmp_path / "cwd-site/wp-config.php"


def test_empty_environment_values_are_unset(world: dict[str, object]) -> None:
    env = {"PINGDESK_DB": "", "PINGDESK_WP_CONFIG": "  ", "PINGDESK_PROFILE": ""}
    t = resolve(env=env, cwd=world["cwd"], config=world["config"])
    assert db_of(t) == "from_default_profile"


def test_nothing_found(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        resolve(cwd=tmp_path)
    assert one_line(exc) == NOT_FOUND_MESSAGE
    assert NOT_FOUND_MESSAGE == (
        "no WordPress found: pass --wp-config PATH or --db URL (or run inside a WordPress folder)"
    )


def test_conflicting_flags(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as exc:
        resolve(db="sqlite:///x", wp_config="/x/wp-config.php")
    one_line(exc, "--db", "--wp-config", "not both")
    with pytest.raises(UsageError) as exc:
        resolve(db="sqlite:///x", profile="p")
    one_line(exc, "--profile", "not both")


def test_a_flag_beats_a_variable_of_another_kind(world: dict[str, object]) -> None:
    """--profile with PINGDESK_DB set: the flag chooses the blog (it used to be refused
    as "pass either --profile or --db/--wp-config, not both")."""
    cwd, cfg = world["cwd"], world["config"]
    env = {"PINGDESK_DB": "mysql://x:pw@h/from_env_db", "PINGDESK_WP_CONFIG": "/nowhere"}
    t = resolve(profile="named", env=env, cwd=cwd, config=cfg)
    assert t.source == "profile 'named'"
    t = resolve(db="sqlite:///x.db", env={"PINGDESK_PROFILE": "envprof"}, cwd=cwd, config=cfg)
    assert t.source == "--db"


def test_prefix_precedence(world: dict[str, object]) -> None:
    cwd, cfg = world["cwd"], world["config"]
    env = {"PINGDESK_PROFILE": "default"}
    assert resolve(env=env, cwd=cwd, config=cfg).prefix == "dflt_"
    assert resolve(env=env | {"PINGDESK_PREFIX": "e_"}, cwd=cwd, config=cfg).prefix == "e_"
    t = resolve(prefix="flag_", env=env | {"PINGDESK_PREFIX": "e_"}, cwd=cwd, config=cfg)
    assert t.prefix == "flag_"
    assert resolve(db="mysql://u@h/b").prefix == "wp_"
    assert resolve(profile="named", config=cfg).prefix == "prof_"  # its wp-config's


def test_site_precedence(world: dict[str, object]) -> None:
    cfg = world["config"]
    assert resolve(profile="named", config=cfg).site == "7"
    assert resolve(profile="named", config=cfg, env={"PINGDESK_SITE": "8"}).site == "8"
    assert resolve(profile="named", config=cfg, site="9", env={"PINGDESK_SITE": "8"}).site == "9"
    assert resolve(db="mysql://u@h/b").site is None


def test_invalid_prefix_refused() -> None:
    with pytest.raises(ConfigError) as exc:
        resolve(db="mysql://u@h/b", prefix="wp_; DROP TABLE x")
    one_line(exc, "invalid table prefix")


def test_profile_passwords(tmp_path: Path) -> None:
    site = write_wp_config(tmp_path / "s", password="from-file")
    cfg = Config(
        profiles={
            "envpw": Profile(db="mysql://u:old@h/b", password_env="BLOG_PW"),
            "plain": Profile(wp_config=str(site), password="override"),
        }
    )
    assert resolve(profile="envpw", config=cfg, env={"BLOG_PW": "new"}).url.password == "new"
    assert resolve(profile="plain", config=cfg).url.password == "override"
    with pytest.raises(ConfigError) as exc:
        resolve(profile="envpw", config=cfg)
    one_line(exc, "'envpw'", "$BLOG_PW", "not set")


def test_unknown_profile(world: dict[str, object]) -> None:
    with pytest.raises(ConfigError) as exc:
        resolve(profile="nope", config=world["config"])
    one_line(exc, "no profile 'nope'", "default, envprof, named")


def test_profiles_from_the_config_file(tmp_path: Path) -> None:
    save_profile("saved", Profile(db="mysql://u:pw@h/saved_db"), default=True)
    t = resolve_target(env={}, cwd=tmp_path)
    assert db_of(t) == "saved_db" and t.source == "profile 'saved'"


def test_broken_config_file_only_matters_when_needed(tmp_path: Path) -> None:
    cfg_file = tmp_path / "xdg-config/pingdesk/config.toml"
    cfg_file.parent.mkdir(parents=True)
    cfg_file.write_text("[profiles\n")
    assert db_of(resolve_target(db="mysql://u@h/b", env={}, cwd=tmp_path)) == "b"
    with pytest.raises(ConfigError) as exc:
        resolve_target(env={}, cwd=tmp_path)
    one_line(exc, f"{cfg_file}:1:", "invalid TOML")


# --------------------------------------------------------------------------- MariaDB


@dataclass
class Server:
    tag: str
    wp: str  # wp_ and wp2_ sites, plus an incomplete half_ set
    other: str  # unrelated tables only
    fake: str  # tables named like WordPress's, but not WordPress's
    network: str  # multisite: sites 1, 2, 3 and a 4 whose tables are gone
    empty: str
    user: str
    password: str

    def url(self, db: str, *, user: str | None = None, password: str | None = None) -> str:
        u = user or ROOT
        pw = ROOT_PASSWORD if user is None else (password or "")
        auth = quote(u, safe="") + (":" + quote(pw, safe="") if pw else "")
        return f"mysql://{auth}@{HOST}:{PORT}/{db}"

    def engine(self, db: str) -> Engine:
        return create_engine(
            f"mysql+pymysql://{quote(ROOT)}:{quote(ROOT_PASSWORD)}@{HOST}:{PORT}/{db}"
            "?charset=utf8mb4"
        )


def _admin() -> pymysql.connections.Connection:  # type: ignore[type-arg]
    try:
        return pymysql.connect(
            host=HOST, port=PORT, user=ROOT, password=ROOT_PASSWORD, autocommit=True
        )
    except pymysql.err.MySQLError as exc:
        pytest.fail(
            f"MariaDB does not answer on {HOST}:{PORT} as {ROOT} ({exc}); "
            "run the suite with `bash .ci/test`, which starts it",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    tag = f"pd_conn_{os.getpid()}_{secrets.token_hex(3)}"
    s = Server(
        tag=tag,
        wp=f"{tag}_wp",
        other=f"{tag}_other",
        fake=f"{tag}_fake",
        network=f"{tag}_ms",
        empty=f"{tag}_empty",
        user=f"pd_conn_u{secrets.token_hex(4)}",
        password=USER_PASSWORD,
    )
    dbs = [s.wp, s.other, s.fake, s.network, s.empty]
    hosts = ["localhost", "127.0.0.1", "%"]
    admin = _admin()
    try:
        with admin.cursor() as cur:
            for db in dbs:
                cur.execute(f"CREATE DATABASE `{db}` CHARACTER SET utf8mb4")
            for h in hosts:
                cur.execute(
                    f"CREATE USER '{s.user}'@'{h.replace('%', '%%')}' IDENTIFIED BY %s",
                    (s.password,),
                )
                cur.execute(f"GRANT ALL ON `{s.wp}`.* TO '{s.user}'@'{h}'")
                cur.execute(f"GRANT ALL ON `{s.network}`.* TO '{s.user}'@'{h}'")
        _fill(s)
        yield s
    finally:
        with admin.cursor() as cur:
            for db in dbs:
                cur.execute(f"DROP DATABASE IF EXISTS `{db}`")
            for h in hosts:
                cur.execute(f"DROP USER IF EXISTS '{s.user}'@'{h}'")
        admin.close()


def _fill(s: Server) -> None:
    eng = s.engine(s.wp)
    for p in ("wp_", "wp2_", "half_"):
        t = Tables(p, p)
        t.metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(text("DROP TABLE half_posts"))
        conn.execute(
            insert(Tables("wp_", "wp_").options).values(option_name="blogname", option_value="W")
        )
    eng.dispose()

    eng = s.engine(s.other)
    with eng.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)"))
        conn.execute(text("CREATE TABLE invoices (id INT PRIMARY KEY, total DECIMAL(10,2))"))
    eng.dispose()

    eng = s.engine(s.fake)
    with eng.begin() as conn:
        for name in ("comments", "commentmeta", "posts", "postmeta", "options"):
            conn.execute(text(f"CREATE TABLE wp_{name} (id INT PRIMARY KEY, body TEXT)"))
    eng.dispose()

    eng = s.engine(s.network)
    base = Tables("wp_", "wp_")
    base.metadata.create_all(eng)
    sites = [(1, "net.example", "/"), (2, "net.example", "/sub/"), (3, "shop.example", "/")]
    with eng.begin() as conn:
        for blog_id, domain, path in [*sites, (4, "gone.example", "/")]:
            conn.execute(insert(base.blogs).values(blog_id=blog_id, domain=domain, path=path))
    for blog_id, domain, path in sites:
        t = Tables("wp_" if blog_id == 1 else f"wp_{blog_id}_", "wp_")
        t.metadata.create_all(eng)
        with eng.begin() as conn:
            conn.execute(
                insert(t.options),
                [
                    {"option_name": "blogname", "option_value": f"Site {blog_id}"},
                    {"option_name": "home", "option_value": f"https://{domain}{path}"},
                ],
            )
    eng.dispose()


def _check_works(blog: Blog) -> None:
    with blog.engine.connect() as conn:
        assert conn.execute(select(blog.tables.comments.c.comment_ID)).all() == []


@pytest.mark.mariadb
def test_connect_tcp_with_password(server: Server) -> None:
    t = resolve(db=server.url(server.wp, user=server.user, password=server.password))
    blog = connect(t)
    try:
        assert blog.label == f"{server.user}@{HOST}:{PORT}/{server.wp}"
        assert blog.dialect == "mysql"
        assert blog.tables.prefix == "wp_" and blog.site_id is None and not blog.multisite
        assert blog.option("blogname") == "W"
        _check_works(blog)
        with blog.engine.connect() as conn:
            assert conn.get_isolation_level() == "READ COMMITTED"
            assert conn.execute(text("SELECT @@character_set_client")).scalar() == "utf8mb4"
    finally:
        blog.engine.dispose()


@pytest.mark.mariadb
def test_connect_from_wp_config(server: Server, tmp_path: Path) -> None:
    p = write_wp_config(
        tmp_path / "site",
        db=server.wp,
        user=server.user,
        password=server.password,
        host=f"{HOST}:{PORT}",
        prefix="wp2_",
        extra="define('WPCOM_API_KEY', 'k3y');",
    )
    blog = connect(resolve(cwd=tmp_path / "site"))
    try:
        assert blog.tables.prefix == "wp2_"
        assert blog.akismet_key == "k3y"
        assert blog.key == f"{server.user}@{HOST}:{PORT}/{server.wp}#wp2_"
        _check_works(blog)
    finally:
        blog.engine.dispose()
    assert p.exists()


@pytest.mark.mariadb
@pytest.mark.parametrize("db_host", ["localhost", "localhost:/SOCKET", ":/SOCKET"])
def test_connect_over_the_socket(server: Server, tmp_path: Path, db_host: str) -> None:
    if HOST not in ("127.0.0.1", "localhost"):
        pytest.fail("the socket test needs the MariaDB server on this machine")
    db_host = db_host.replace("/SOCKET", default_socket())
    write_wp_config(
        tmp_path, db=server.wp, user=server.user, password=server.password, host=db_host
    )
    t = resolve(cwd=tmp_path)
    assert t.url.query["unix_socket"] == default_socket()
    blog = connect(t)
    try:
        _check_works(blog)
        assert blog.label == f"{server.user}@{default_socket()}/{server.wp}"
    finally:
        blog.engine.dispose()


@pytest.mark.mariadb
def test_wrong_password(server: Server) -> None:
    t = resolve(db=server.url(server.wp, user=server.user, password="wrong-secret"))
    with pytest.raises(ConnectError) as exc:
        connect(t)
    msg = one_line(exc)
    assert msg == (
        f"cannot connect to MariaDB/MySQL at {HOST}:{PORT} as {server.user}: "
        "access denied (wrong password?)"
    )
    assert "wrong-secret" not in msg


@pytest.mark.mariadb
def test_unknown_user(server: Server) -> None:
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=server.url(server.wp, user="pd_conn_nobody", password="x")))
    one_line(exc, "as pd_conn_nobody", "access denied")


def test_unreachable_port() -> None:
    # Port 9 (discard) on loopback: nothing listens, so the refusal is immediate.
    with pytest.raises(DatabaseUnavailable) as exc:
        connect(resolve(db="mysql://wpuser:secret@127.0.0.1:9/blog"))
    one_line(exc, "cannot connect to MariaDB/MySQL at 127.0.0.1:9 as wpuser", "unreachable")


def test_missing_socket(tmp_path: Path) -> None:
    sock = tmp_path / "no.sock"
    with pytest.raises(DatabaseUnavailable) as exc:
        connect(resolve(db=f"mysql://wpuser:secret@localhost/blog?unix_socket={sock}"))
    one_line(exc, f"at {sock} as wpuser", "unreachable", "for TCP give the host as 127.0.0.1")


@pytest.mark.mariadb
def test_unknown_database(server: Server) -> None:
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=server.url(f"{server.tag}_nope")))
    one_line(exc, f"unknown database '{server.tag}_nope'")


@pytest.mark.mariadb
def test_database_without_grant(server: Server) -> None:
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=server.url(server.other, user=server.user, password=server.password)))
    one_line(exc, f"access denied to database '{server.other}'")


@pytest.mark.mariadb
def test_wrong_prefix_names_the_ones_that_exist(server: Server) -> None:
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=server.url(server.wp), prefix="wx_"))
    msg = one_line(exc)
    assert msg == (
        f"no WordPress tables with prefix 'wx_' in db '{server.wp}'; "
        "prefixes found: half_, wp2_, wp_"
    )


@pytest.mark.mariadb
def test_incomplete_tables(server: Server) -> None:
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=server.url(server.wp), prefix="half_"))
    one_line(exc, "prefix 'half_'", "incomplete", "missing half_posts")


@pytest.mark.mariadb
@pytest.mark.parametrize("which", ["other", "empty"])
def test_not_a_wordpress_database(server: Server, which: str) -> None:
    db = getattr(server, which)
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=server.url(db)))
    one_line(exc, "not a WordPress database: no *options/*comments tables", db)


@pytest.mark.mariadb
def test_same_named_tables_are_not_enough(server: Server) -> None:
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=server.url(server.fake)))
    one_line(exc, "not a WordPress database", "wp_comments", "comment_approved", "comment_type")


# --------------------------------------------------------------------------- multisite


@pytest.mark.mariadb
def test_list_sites(server: Server) -> None:
    blog = connect(resolve(db=server.url(server.network)))
    try:
        assert blog.multisite and blog.site_id == 1 and blog.tables.prefix == "wp_"
        sites = list_sites(blog)
        assert [(s.blog_id, s.address, s.prefix, s.name, s.home) for s in sites] == [
            (1, "net.example/", "wp_", "Site 1", "https://net.example/"),
            (2, "net.example/sub/", "wp_2_", "Site 2", "https://net.example/sub/"),
            (3, "shop.example/", "wp_3_", "Site 3", "https://shop.example/"),
            (4, "gone.example/", "wp_4_", None, None),
        ]
        assert list_sites(blog.engine, "wp_") == sites
    finally:
        blog.engine.dispose()


@pytest.mark.mariadb
@pytest.mark.parametrize(
    ("site", "blog_id"),
    [
        ("2", 2),
        ("shop.example", 3),
        ("SHOP.example", 3),
        ("net.example", 1),
        ("net.example/sub", 2),
        ("net.example/sub/", 2),
        ("https://net.example/sub/", 2),
        ("net.example/", 1),
    ],
)
def test_choose_site(server: Server, site: str, blog_id: int) -> None:
    blog = connect(resolve(db=server.url(server.network), site=site))
    try:
        assert blog.site_id == blog_id
        want = "wp_" if blog_id == 1 else f"wp_{blog_id}_"
        assert (blog.tables.prefix, blog.tables.base_prefix) == (want, "wp_")
        assert blog.option("blogname") == f"Site {blog_id}"
        assert blog.key.endswith(f"#{want}")
    finally:
        blog.engine.dispose()


@pytest.mark.mariadb
def test_main_site_from_wp_config(server: Server, tmp_path: Path) -> None:
    write_wp_config(
        tmp_path,
        db=server.network,
        user=server.user,
        password=server.password,
        host=f"{HOST}:{PORT}",
        extra="define('MULTISITE', true);\ndefine('BLOG_ID_CURRENT_SITE', 3);",
    )
    blog = connect(resolve(cwd=tmp_path))
    try:
        assert blog.site_id == 3 and blog.tables.prefix == "wp_3_"
    finally:
        blog.engine.dispose()


@pytest.mark.mariadb
def test_unknown_site_lists_the_sites(server: Server) -> None:
    with pytest.raises(NotFound) as exc:
        connect(resolve(db=server.url(server.network), site="blog.example"))
    one_line(
        exc,
        "no site 'blog.example'",
        "1=net.example/, 2=net.example/sub/, 3=shop.example/, 4=gone.example/",
    )
    with pytest.raises(NotFound) as exc:
        connect(resolve(db=server.url(server.network), site="99"))
    one_line(exc, "no site '99'")


@pytest.mark.mariadb
def test_site_whose_tables_are_gone(server: Server) -> None:
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=server.url(server.network), site="4"))
    one_line(exc, "no WordPress tables with prefix 'wp_4_'", "prefixes found: wp_, wp_2_, wp_3_")


@pytest.mark.mariadb
def test_site_on_a_single_site(server: Server) -> None:
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=server.url(server.wp), site="2"))
    one_line(exc, "--site '2'", "not a multisite network")
    blog = connect(resolve(db=server.url(server.wp), site="1"))
    blog.engine.dispose()
    assert list_sites(blog) == []


@pytest.mark.mariadb
@pytest.mark.wordpress
def test_real_wordpress_multisite(wp_multisite: object) -> None:
    """A network WordPress itself installed (tests/conftest.py's test bed)."""
    site = wp_multisite
    url = str(site.url)  # type: ignore[attr-defined]
    blog = connect(resolve(db=url, site="2"))
    try:
        assert blog.tables.prefix == "wp_2_" and blog.site_id == 2
        sites = list_sites(blog)
        assert [s.blog_id for s in sites][:2] == [1, 2]
        assert sites[1].path == "/sub/" and sites[1].prefix == "wp_2_"
        assert sites[0].name and sites[0].home
    finally:
        blog.engine.dispose()


# --------------------------------------------------------------------------- SQLite


def make_sqlite(path: Path, prefix: str = "wp_") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # creator: a '?' or '#' in the path would be URL syntax in sqlite:///...
    eng = create_engine("sqlite://", creator=lambda: sqlite3.connect(path))
    Tables(prefix, prefix).metadata.create_all(eng)
    eng.dispose()
    return path


def test_sqlite_connects(tmp_path: Path) -> None:
    p = make_sqlite(tmp_path / "odd ?#% name/.ht.sqlite")
    blog = connect(resolve(db=str(p)))  # a plain path: '?' and '#' would be URL syntax
    try:
        assert blog.dialect == "sqlite" and blog.label == str(p)
        with blog.engine.begin() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            conn.execute(
                insert(blog.tables.options).values(option_name="blogname", option_value="S")
            )
        assert blog.option("blogname") == "S"
    finally:
        blog.engine.dispose()


def test_sqlite_from_wp_config(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_wp_config(site, extra="define('DB_ENGINE', 'sqlite');", prefix="pg_")
    with pytest.raises(ConnectError) as exc:
        connect(resolve(cwd=site))
    db = site / "wp-content/database/.ht.sqlite"
    one_line(exc, f"SQLite database file not found: {db}", f"from {site / 'wp-config.php'}")
    assert not db.exists() and not db.parent.exists()  # never created
    make_sqlite(db, "pg_")
    blog = connect(resolve(cwd=site))
    assert blog.tables.prefix == "pg_"
    blog.engine.dispose()


def test_sqlite_missing_file_is_not_created(tmp_path: Path) -> None:
    p = tmp_path / "missing.sqlite"
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=f"sqlite:///{p}"))
    one_line(exc, "not found", str(p))
    assert not p.exists()


def test_sqlite_text_file(tmp_path: Path) -> None:
    p = tmp_path / ".ht.sqlite"
    p.write_text("<?php // Silence is golden.\n")
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=f"sqlite:///{p}"))
    one_line(exc, f"not a SQLite database file: {p}")


def test_sqlite_corrupt_file(tmp_path: Path) -> None:
    p = tmp_path / ".ht.sqlite"
    p.write_bytes(b"SQLite format 3\x00" + secrets.token_bytes(8192))
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=f"sqlite:///{p}"))
    one_line(exc, str(p))


def test_sqlite_directory_and_empty_file(tmp_path: Path) -> None:
    d = tmp_path / "dir.sqlite"
    d.mkdir()
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=f"sqlite:///{d}"))
    one_line(exc, "is a directory")
    e = tmp_path / "empty.sqlite"
    e.touch()
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=f"sqlite:///{e}"))
    one_line(exc, "not a WordPress database", "empty file")


def test_sqlite_without_wordpress_tables(tmp_path: Path) -> None:
    p = tmp_path / "notes.sqlite"
    with sqlite3.connect(p) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=str(p)))
    one_line(exc, "not a WordPress database: no *options/*comments tables", str(p))
    make_sqlite(tmp_path / "other.sqlite", "blog_")
    with pytest.raises(ConnectError) as exc:
        connect(resolve(db=str(tmp_path / "other.sqlite")))
    one_line(exc, "no WordPress tables with prefix 'wp_'", "prefixes found: blog_")


# --------------------------------------------------------------------------- driver surprises


@pytest.mark.parametrize(
    ("error", "needles"),
    [
        (
            RuntimeError(
                "'cryptography' package is required for sha256_password or "
                "caching_sha2_password auth methods"
            ),
            ["at db.example:3306 as wpuser", "'cryptography' package", "pymysql[rsa]"],
        ),
        (ValueError("odd\nmulti-line\ndriver failure"), ["wpuser@db.example", "odd multi-line"]),
        (
            pymysql.err.OperationalError(2013, "Lost connection to server during query"),
            ["at db.example:3306 as wpuser", "unreachable"],
        ),
        (pymysql.err.OperationalError(1130, "Host 'x' is not allowed"), ["not allowed"]),
    ],
)
def test_driver_exceptions_become_one_line(
    monkeypatch: pytest.MonkeyPatch, error: Exception, needles: list[str]
) -> None:
    def fail(self: object, sock: object = None) -> None:
        raise error

    monkeypatch.setattr(pymysql.connections.Connection, "connect", fail)
    # A lost or refused connection is worth retrying (exit 3); the others are not (exit 2).
    expected = DatabaseUnavailable if "unreachable" in needles else ConnectError
    with pytest.raises(expected) as exc:
        connect(resolve(db="mysql://wpuser:secret@db.example/blog"))
    one_line(exc, *needles)
