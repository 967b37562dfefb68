"""What the CLI tests share: a user of their own and the demo blog to run commands on."""

from __future__ import annotations

from pathlib import Path

import pytest

from pingdesk.demo import blog as demo

# Settings that would steer a command away from the blog a test names.
_STEERING = (
    "PINGDESK_DB",
    "PINGDESK_WP_CONFIG",
    "PINGDESK_PROFILE",
    "PINGDESK_PREFIX",
    "PINGDESK_SITE",
    "PINGDESK_URL",
    "PINGDESK_AKISMET_ENDPOINT",
    "COLUMNS",  # tables fit the terminal a test asks for, not the one running it
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user of this test's own: config and data in tmp_path, working there too."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for var in _STEERING:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def blog_file(home: Path) -> Path:
    """The demo blog (SQLite), built for this test."""
    return demo.build(home / "blog.sqlite")


@pytest.fixture
def db(blog_file: Path) -> str:
    return f"sqlite:///{blog_file}"


@pytest.fixture
def demo_db(db: str) -> str:
    return db
