"""pingdesk's own settings: paths, config.toml, saved profiles and 0600 writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pingdesk import config
from pingdesk.config import (
    Config,
    Profile,
    VerifyConfig,
    config_dir,
    data_dir,
    delete_profile,
    journal_path,
    load_config,
    save_profile,
    secure_write,
)
from pingdesk.errors import ConfigError


@pytest.fixture(autouse=True)
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


def one_line(exc: pytest.ExceptionInfo[BaseException], *needles: str) -> str:
    msg = str(exc.value)
    assert msg and "\n" not in msg, msg
    for needle in needles:
        assert needle in msg, (needle, msg)
    return msg


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def write_config(text: str) -> Path:
    p = config_dir() / "config.toml"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


FULL = """\
default_profile = "blog"

[profiles.blog]
wp_config = "/var/www/blog/wp-config.php"
prefix = "blog_"
password_env = "BLOG_DB_PASSWORD"
site = "2"

[profiles."shop.eu"]
db = "mysql://shop@db.internal/shop"
password = "p'w\\"d"

[verify]
allow = ["127.0.0.1", "intranet.example"]
concurrency = 4
per_host = 1
timeout = 2.5
max_bytes = 65536

[akismet]
key = "abc123"
endpoint = "https://rest.akismet.com/1.1/"

[moderator]
login = "editor"

[tui]
theme = "dark"
"""


def test_paths_follow_xdg(xdg: Path) -> None:
    assert config_dir() == xdg / "cfg/pingdesk"
    assert data_dir() == xdg / "data/pingdesk"
    assert journal_path() == xdg / "data/pingdesk/journal.sqlite3"
    assert config.config_path() == xdg / "cfg/pingdesk/config.toml"


def test_paths_move_with_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "elsewhere"))
    assert journal_path() == tmp_path / "elsewhere/pingdesk/journal.sqlite3"


def test_missing_file_gives_defaults() -> None:
    cfg = load_config()
    assert cfg == Config()
    assert cfg.verify == VerifyConfig(
        allow=[], concurrency=16, per_host=2, timeout=10.0, max_bytes=1_048_576
    )
    assert cfg.default_profile is None and cfg.profiles == {}
    assert cfg.akismet.key is None and cfg.moderator.login is None


def test_full_file() -> None:
    p = write_config(FULL)
    cfg = load_config()
    assert cfg.path == p
    assert cfg.default_profile == "blog"
    assert cfg.profiles["blog"] == Profile(
        wp_config="/var/www/blog/wp-config.php",
        prefix="blog_",
        password_env="BLOG_DB_PASSWORD",
        site="2",
    )
    assert cfg.profiles["shop.eu"] == Profile(db="mysql://shop@db.internal/shop", password="p'w\"d")
    assert cfg.verify == VerifyConfig(
        allow=["127.0.0.1", "intranet.example"],
        concurrency=4,
        per_host=1,
        timeout=2.5,
        max_bytes=65536,
    )
    assert isinstance(cfg.verify.timeout, float)
    assert cfg.akismet.key == "abc123"
    assert cfg.akismet.endpoint == "https://rest.akismet.com/1.1/"
    assert cfg.moderator.login == "editor"
    assert cfg.tui.theme == "dark" and cfg.extra == {}
    assert cfg.profile("blog") is cfg.profiles["blog"]


def test_integer_timeout_is_accepted() -> None:
    write_config("[verify]\ntimeout = 3\n")
    assert load_config().verify.timeout == 3.0


def test_unknown_profile_lists_the_known_ones() -> None:
    write_config(FULL)
    with pytest.raises(ConfigError) as exc:
        load_config().profile("nope")
    one_line(exc, "'nope'", "blog, shop.eu")


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ('[verify]\nconcurrency = "many"\n', [":2:", "verify.concurrency", "whole number"]),
        ("[verify]\nper_host = 0\n", [":2:", "verify.per_host", "greater than 0"]),
        ("[verify]\ntimeout = true\n", [":2:", "verify.timeout", "number"]),
        ('[verify]\nallow = "127.0.0.1"\n', [":2:", "verify.allow", "list of strings"]),
        ("[verify]\nconcurency = 3\n", [":2:", "verify.concurency", "not a known setting"]),
        ("[akismet]\nkey = 123\n", [":2:", "akismet.key", "must be a string"]),
        ("verify = 3\n", [":1:", "verify", "must be a table"]),
        ('[profiles.a]\nwp_config = "x"\npasword = "y"\n', [":3:", "pasword", "not a known"]),
        ('[profiles.a]\nprefix = "wp_"\n', ["profile 'a' needs wp_config or db"]),
        ('[profiles.a]\nwp_config = "x"\ndb = "sqlite:///y"\n', ["both wp_config and db"]),
        (
            '[profiles.a]\ndb = "sqlite:///y"\npassword = "a"\npassword_env = "B"\n',
            ["both password and password_env"],
        ),
        ('[profiles."a b"]\ndb = "sqlite:///y"\n', ["invalid profile name 'a b'"]),
        (
            'default_profile = "gone"\n[profiles.a]\ndb = "sqlite:///y"\n',
            [":1:", "default_profile", "'gone'", "profiles: a"],
        ),
    ],
)
def test_bad_settings(text: str, needles: list[str]) -> None:
    p = write_config(text)
    with pytest.raises(ConfigError) as exc:
        load_config()
    one_line(exc, str(p), *needles)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[verify]\nconcurrency = \n", 2),
        ('default_profile = "a\n', 1),
        ("[profiles.a]\n[profiles.a]\n", 2),
        ("\n\n\n[verify\n", 4),
    ],
)
def test_broken_toml_names_file_and_line(text: str, line: int) -> None:
    p = write_config(text)
    with pytest.raises(ConfigError) as exc:
        load_config()
    one_line(exc, f"{p}:{line}:", "invalid TOML")


def test_not_utf8() -> None:
    p = config_dir() / "config.toml"
    p.parent.mkdir(parents=True)
    p.write_bytes(b'[akismet]\nkey = "\xff"\n')
    with pytest.raises(ConfigError) as exc:
        load_config()
    one_line(exc, f"{p}:2:", "not UTF-8")


def test_directory_in_place_of_the_file() -> None:
    (config_dir() / "config.toml").mkdir(parents=True)
    with pytest.raises(ConfigError) as exc:
        load_config()
    one_line(exc, "config.toml", "is a directory")


def test_explicit_path(tmp_path: Path) -> None:
    p = tmp_path / "other.toml"
    p.write_text("[moderator]\nlogin = 'me'\n")
    assert load_config(p).moderator.login == "me"


# --------------------------------------------------------------------------- writing


def test_save_profile_creates_a_private_file() -> None:
    p = save_profile("blog", Profile(db="mysql://u@h/db", password="s3cret"), default=True)
    assert p == config_dir() / "config.toml"
    assert mode(p) == 0o600
    assert mode(p.parent) == 0o700
    cfg = load_config()
    assert cfg.default_profile == "blog"
    assert cfg.profiles == {"blog": Profile(db="mysql://u@h/db", password="s3cret")}


def test_save_profile_keeps_other_settings_and_tightens_mode() -> None:
    p = write_config(FULL)
    os.chmod(p, 0o644)
    save_profile("new", Profile(wp_config="/srv/wp/wp-config.php", site="blog.example/sub"))
    assert mode(p) == 0o600
    cfg = load_config()
    assert set(cfg.profiles) == {"blog", "shop.eu", "new"}
    assert cfg.profiles["new"].site == "blog.example/sub"
    assert cfg.default_profile == "blog"
    assert cfg.verify.concurrency == 4 and cfg.akismet.key == "abc123"
    assert cfg.tui.theme == "dark" and cfg.extra == {}


def test_save_profile_replaces_one_with_the_same_name() -> None:
    save_profile("a", Profile(db="sqlite:///one", prefix="x_"))
    save_profile("a", Profile(db="sqlite:///two"))
    assert load_config().profiles["a"] == Profile(db="sqlite:///two")


def test_save_profile_refuses_bad_input() -> None:
    with pytest.raises(ConfigError) as exc:
        save_profile("a", Profile())
    one_line(exc, "needs wp_config or db")
    with pytest.raises(ConfigError) as exc:
        save_profile("../x", Profile(db="sqlite:///x"))
    one_line(exc, "invalid profile name")


def test_save_profile_does_not_overwrite_a_broken_file() -> None:
    p = write_config("[verify\n")
    with pytest.raises(ConfigError) as exc:
        save_profile("a", Profile(db="sqlite:///x"))
    one_line(exc, f"{p}:1:", "invalid TOML")
    assert p.read_text() == "[verify\n"


def test_delete_profile() -> None:
    save_profile("a", Profile(db="sqlite:///x"), default=True)
    save_profile("b", Profile(db="sqlite:///y"))
    assert delete_profile("a")
    assert not delete_profile("a")
    cfg = load_config()
    assert set(cfg.profiles) == {"b"} and cfg.default_profile is None


def test_secure_write(tmp_path: Path) -> None:
    old = os.umask(0)  # even a permissive umask must not widen the mode
    try:
        target = tmp_path / "deep/new/secret.bin"
        secure_write(target, b"\x00key")
        assert target.read_bytes() == b"\x00key"
        assert mode(target) == 0o600
        target.chmod(0o666)
        secure_write(target, b"second")
        assert target.read_bytes() == b"second" and mode(target) == 0o600
    finally:
        os.umask(old)
    assert sorted(p.name for p in target.parent.iterdir()) == ["secret.bin"]


def test_secure_write_leaves_the_old_file_when_it_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "secret"
    secure_write(target, b"old")

    def boom(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        secure_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]


COMMENTED = """\
# pingdesk settings for this server
default_profile = "blog"  # the one cron uses

# The main blog.
[profiles.blog]
wp_config = "/var/www/blog/wp-config.php"  # Debian's copy
prefix = "blog_"

# The shop, read-only user.
[profiles.shop]
db = "mysql://reader@db.internal/shop"

# Akismet for both
[akismet]
key = "abc123"  # from akismet.com
"""


def test_editing_keeps_comments_and_order() -> None:
    p = write_config(COMMENTED)
    save_profile("new", Profile(db="sqlite:////srv/new.sqlite", prefix="n_"))
    text = p.read_text()
    assert text.startswith(COMMENTED)
    assert text.endswith('\n\n[profiles.new]\ndb = "sqlite:////srv/new.sqlite"\nprefix = "n_"\n')

    assert delete_profile("shop")
    text = p.read_text()
    assert "shop" not in text and "# The shop, read-only user." not in text
    # The comment above [akismet] is akismet's, not the removed table's.
    assert '\n# Akismet for both\n[akismet]\nkey = "abc123"  # from akismet.com\n' in text
    assert "# The main blog.\n[profiles.blog]\n" in text and "# Debian's copy" in text

    config.set_default_profile("new")
    text = p.read_text()
    assert text.startswith('# pingdesk settings for this server\ndefault_profile = "new"')
    assert delete_profile("new")
    cfg = load_config()
    assert cfg.default_profile is None and set(cfg.profiles) == {"blog"}
    assert "default_profile" not in p.read_text()
    assert "# pingdesk settings for this server" in p.read_text()
    assert mode(p) == 0o600


def test_replacing_a_profile_keeps_its_neighbours() -> None:
    p = write_config(COMMENTED)
    save_profile("blog", Profile(db="sqlite:////srv/blog.sqlite"), default=True)
    cfg = load_config()
    assert cfg.profiles["blog"] == Profile(db="sqlite:////srv/blog.sqlite")
    text = p.read_text()
    assert "# The shop, read-only user.\n[profiles.shop]\n" in text
    assert "/var/www/blog" not in text and "# from akismet.com" in text


def test_inline_profile_tables_are_edited_too() -> None:
    p = write_config('profiles = { a = { db = "sqlite:///a" }, b = { db = "sqlite:///b" } }\n')
    assert delete_profile("a")
    assert set(load_config().profiles) == {"b"}
    save_profile("b", Profile(db="sqlite:///c"))
    assert load_config().profiles["b"].db == "sqlite:///c"
    assert mode(p) == 0o600


def test_set_default_profile_needs_the_profile() -> None:
    write_config(COMMENTED)
    with pytest.raises(ConfigError) as exc:
        config.set_default_profile("nope")
    one_line(exc, "no profile 'nope'", "profiles: blog, shop")
    config.set_default_profile(None)
    assert load_config().default_profile is None


def test_save_setting_adds_or_changes_one_key() -> None:
    p = write_config(COMMENTED)
    config.save_setting("tui", "theme", "nord")
    assert p.read_text().startswith(COMMENTED)
    assert load_config().tui.theme == "nord"
    config.save_setting("tui", "theme", "gruvbox")
    assert load_config().tui.theme == "gruvbox"
    assert p.read_text().count("[tui]") == 1 and "# from akismet.com" in p.read_text()
