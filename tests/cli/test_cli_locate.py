"""Finding the blog from the command line: DSN schemes, --url, profiles (as a script runs them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pingdesk.cli.main import main


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "oracle", "mssql+pyodbc"])
def test_unsupported_database_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], scheme: str
) -> None:
    code, out, err = run(capsys, "counts", "--db", f"{scheme}://me:hunter2@db.example/blog")
    assert code == 2 and out == ""
    assert err == (
        "pingdesk: pingdesk supports MySQL/MariaDB and SQLite "
        f"(got {scheme}://me:***@db.example/blog)\n"
    )
