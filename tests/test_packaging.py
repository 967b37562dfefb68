"""The package as `pip install .` / `pipx install .` builds it: a wheel whose metadata
says what the project is (GPL-2.0-or-later, as WordPress), carries the licence text,
the one version, the entry point and the stylesheet the TUI needs."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import pingdesk

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("pingdesk-*.whl")
    return zipfile.ZipFile(built)


def _member(wheel: zipfile.ZipFile, suffix: str) -> str:
    (name,) = [n for n in wheel.namelist() if n.endswith(suffix)]
    return wheel.read(name).decode("utf-8")


def test_metadata_names_the_licence_and_the_one_version(wheel: zipfile.ZipFile) -> None:
    meta = Parser().parsestr(_member(wheel, ".dist-info/METADATA"))
    assert meta["Version"] == pingdesk.__version__
    assert meta["License-Expression"] == "GPL-2.0-or-later"
    assert meta["License-File"] == "LICENSE"
    classifiers = meta.get_all("Classifier") or []
    assert "Environment :: Console" in classifiers
    assert "Programming Language :: Python :: 3.11" in classifiers
    # PEP 639: a licence expression replaces the licence classifiers.
    assert not [c for c in classifiers if c.startswith("License ::")]


def test_the_licence_text_ships_with_the_wheel(wheel: zipfile.ZipFile) -> None:
    text = _member(wheel, ".dist-info/licenses/LICENSE")
    assert "GNU GENERAL PUBLIC LICENSE" in text and "Version 2, June 1991" in text
    assert text == (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_the_command_and_the_stylesheet_are_installed(wheel: zipfile.ZipFile) -> None:
    assert "pingdesk = pingdesk.cli.main:main" in _member(wheel, ".dist-info/entry_points.txt")
    names = wheel.namelist()
    assert "pingdesk/tui/pingdesk.tcss" in names
    assert "pingdesk/py.typed" in names


def test_the_version_is_written_once() -> None:
    """pyproject reads it from the package; no second copy to forget."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in text
    assert pingdesk.__version__ not in text
