"""Running pingdesk's command line in-process, as its console script runs it."""

from __future__ import annotations

import pytest

from pingdesk.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr); argparse's own usage errors end in SystemExit."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
