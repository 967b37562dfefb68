"""`pingdesk completion bash|zsh|fish`, run in the real shells.

bash: the script is sourced and its function called with COMP_WORDS / COMP_CWORD
set, as bash's programmable completion calls it. fish: `complete -C LINE` asks fish
itself what it would offer. zsh: compsys needs a terminal, so the script runs in a
real zsh with `compadd` and `_files` standing in for compsys (they print what they
are handed); the walker, the option table and the value dispatch are the script's.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from pingdesk.cli.completion_scripts import nodes, script
from pingdesk.cli.main import build_parser
from pingdesk.cli.parser import subcommands

END = "::end::"
STATUSES = {"pending", "approved", "spam", "trash", "all"}
COMMANDS = set(subcommands(build_parser()))


@pytest.fixture(scope="module")
def shell_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """PATH with a `pingdesk` on it (the scripts call it for profile names) and a
    config.toml with two profiles."""
    root = tmp_path_factory.mktemp("completion")
    bin_dir = root / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "pingdesk"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -m pingdesk "$@"\n')
    wrapper.chmod(0o755)
    (root / "config" / "pingdesk").mkdir(parents=True)
    (root / "config" / "pingdesk" / "config.toml").write_text(
        '[profiles.blog]\ndb = "sqlite:///blog.sqlite"\n\n'
        '[profiles.shop-2]\ndb = "sqlite:///shop.sqlite"\n'
    )
    (root / "wp-config-here.php").write_text("<?php\n")
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(root),
        "XDG_CONFIG_HOME": str(root / "config"),
        "PYTHONPATH": ":".join(p for p in sys.path if p),
        "ROOT": str(root),
    }


def scripts_in(tmp: Path) -> dict[str, Path]:
    parser = build_parser()
    paths = {}
    for shell in ("bash", "zsh", "fish"):
        paths[shell] = tmp / f"pingdesk.{shell}"
        paths[shell].write_text(script(shell, parser))
    return paths


def results(stdout: str) -> list[set[str]]:
    chunks = stdout.split(END + "\n")[:-1]
    return [{line.split("\t")[0] for line in chunk.splitlines() if line} for chunk in chunks]


def bash_complete(
    path: Path, env: dict[str, str], cases: Sequence[Sequence[str]]
) -> list[set[str]]:
    """Each case is COMP_WORDS as bash splits the line (it splits --a=b into --a, =, b)."""
    program = [
        f"source {shlex.quote(str(path))}",
        'c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _pingdesk;'
        f" printf '%s\\n' \"${{COMPREPLY[@]}}\"; echo {END}; }}",
        *("c " + " ".join(shlex.quote(w) for w in case) for case in cases),
    ]
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", "\n".join(program)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert done.stderr == ""
    found = results(done.stdout)
    assert len(found) == len(cases)
    return found


def zsh_complete(path: Path, env: dict[str, str], cases: Sequence[Sequence[str]]) -> list[set[str]]:
    """What the script hands compadd, narrowed to the word being typed as compadd does."""
    program = [
        "compdef() { : }",
        'compadd() { local pre=""; while (($#)); do case $1 in -P) pre=$2; shift 2;; '
        '--) shift; break;; *) shift;; esac; done; local a; for a; do print -r -- "$pre$a"; '
        "done }",
        "_files() { print -r -- '<files>' }",
        f"source {shlex.quote(str(path))}",
        f'c() {{ words=("$@"); CURRENT=$#; _pingdesk; print {END} }}',
        *("c " + " ".join(shlex.quote(w) for w in case) for case in cases),
    ]
    done = subprocess.run(
        ["zsh", "-f", "-c", "\n".join(program)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert done.stderr == ""
    found = results(done.stdout)
    assert len(found) == len(cases)
    return [
        {w for w in got if w.startswith(case[-1]) or w == "<files>"}
        for got, case in zip(found, cases, strict=True)
    ]


def fish_complete(path: Path, env: dict[str, str], lines: Sequence[str]) -> list[set[str]]:
    program = [
        f"source {shlex.quote(str(path))}",
        *(f"complete -C {shlex.quote(line)}; echo {END}" for line in lines),
    ]
    done = subprocess.run(
        ["fish", "--no-config", "-c", "\n".join(program)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert done.stderr == ""
    found = results(done.stdout)
    assert len(found) == len(lines)
    return found


# (words of the line; what completes the last one)
CASES: list[tuple[list[str], set[str]]] = [
    (["pingdesk", "lis"], {"list"}),
    (["pingdesk", "li"], {"list", "links"}),
    (["pingdesk", "ak"], {"akismet"}),
    (["pingdesk", "akismet", ""], {"check", "status", "retry"}),
    (["pingdesk", "--db", "x", "akismet", "check", "--mo"], {"--move-spam"}),
    (["pingdesk", "list", "--status", ""], STATUSES),
    (["pingdesk", "list", "--status", "p"], {"pending"}),
    (["pingdesk", "list", "--type", "w"], {"webmention"}),
    # the value of --profile is not taken for a command: 's' completes commands
    (["pingdesk", "--profile", "akismet", "s"], {c for c in COMMANDS if c.startswith("s")}),
    (["pingdesk", "list", "--search", "akismet", "--ty"], {"--type"}),
    (["pingdesk", "completion", ""], {"bash", "zsh", "fish"}),
    (["pingdesk", "help", "ak"], {"akismet"}),
    (["pingdesk", "list", "--profile", ""], {"blog", "shop-2"}),
    (
        ["pingdesk", "counts", "--"],
        {
            "--help",
            "--json",
            "--format",
            "--fields",
            "--wp-config",
            "--db",
            "--prefix",
            "--profile",
            "--all-profiles",
            "--site",
            "--network",
            "--url",
        },
    ),
]


def test_bash_completes_commands_options_and_values(
    tmp_path: Path, shell_env: dict[str, str]
) -> None:
    path = scripts_in(tmp_path)["bash"]
    cases = [words for words, _ in CASES]
    # bash splits at '=': `list --status=p` arrives as [--status] [=] [p]
    cases += [["pingdesk", "list", "--status", "=", "p"], ["pingdesk", "list", "--status", "="]]
    wp_config = str(Path(shell_env["ROOT"]) / "wp-config-h")
    cases.append(["pingdesk", "--wp-config", wp_config])
    got = bash_complete(path, shell_env, cases)
    for (words, want), have in zip(CASES, got, strict=False):
        assert have == want, words
    assert got[len(CASES)] == {"pending"}
    assert got[len(CASES) + 1] == STATUSES
    assert got[len(CASES) + 2] == {str(Path(shell_env["ROOT"]) / "wp-config-here.php")}


def test_zsh_completes_commands_options_and_values(
    tmp_path: Path, shell_env: dict[str, str]
) -> None:
    path = scripts_in(tmp_path)["zsh"]
    subprocess.run(["zsh", "-n", str(path)], check=True, timeout=60)
    cases = [words for words, _ in CASES]
    cases += [["pingdesk", "list", "--status=p"], ["pingdesk", "--wp-config", "/tm"]]
    got = zsh_complete(path, shell_env, cases)
    for (words, want), have in zip(CASES, got, strict=False):
        assert have == want, words
    assert got[len(CASES)] == {"--status=pending"}
    assert got[len(CASES) + 1] == {"<files>"}


def test_fish_completes_commands_options_and_values(
    tmp_path: Path, shell_env: dict[str, str]
) -> None:
    path = scripts_in(tmp_path)["fish"]
    subprocess.run(["fish", "--no-execute", str(path)], check=True, timeout=60)
    lines = [" ".join(words) for words, _ in CASES]
    lines.append("pingdesk list --status=p")
    got = fish_complete(path, shell_env, lines)
    for (words, want), have in zip(CASES, got, strict=False):
        assert have == want, words
    assert got[len(CASES)] == {"--status=pending"}


def long_options(parser: argparse.ArgumentParser) -> set[str]:
    return {
        name
        for action in parser._actions
        if action.help != argparse.SUPPRESS
        for name in action.option_strings
        if name.startswith("--")
    }


def test_every_command_and_option_of_the_parser_completes_in_every_shell(
    tmp_path: Path, shell_env: dict[str, str]
) -> None:
    """The scripts come from the parser: whatever a command accepts, they offer."""
    paths = scripts_in(tmp_path)
    parser = build_parser()
    expected: list[set[str]] = []
    cases: list[list[str]] = []
    for node in nodes(parser):
        below = parser
        for word in node.path.split():
            below = subcommands(below)[word]
        words = ["pingdesk", *node.path.split()]
        cases.append([*words, "--"])
        expected.append(long_options(below))
        if subcommands(below):
            cases.append([*words, ""])
            expected.append(set(subcommands(below)) | set(node.words))
    assert len(cases) > 25  # every command, akismet's three, help and completion
    assert bash_complete(paths["bash"], shell_env, cases) == expected
    assert zsh_complete(paths["zsh"], shell_env, cases) == expected
    # fish: "pingdesk akismet " (a trailing space) asks for the next word
    assert fish_complete(paths["fish"], shell_env, [" ".join(c) for c in cases]) == expected


def test_completion_as_a_process(shell_env: dict[str, str]) -> None:
    for shell, first in (("bash", "# bash"), ("zsh", "# zsh"), ("fish", "# fish")):
        done = subprocess.run(
            ["pingdesk", "completion", shell],
            capture_output=True,
            text=True,
            env=shell_env,
            timeout=60,
        )
        assert done.returncode == 0 and done.stderr == ""
        assert done.stdout.startswith(first)
    profiles = subprocess.run(
        ["pingdesk", "completion", "--profiles"],
        capture_output=True,
        text=True,
        env=shell_env,
        timeout=60,
    )
    assert profiles.stdout.splitlines() == ["blog", "shop-2"]
    bare = subprocess.run(
        ["pingdesk", "completion"], capture_output=True, text=True, env=shell_env, timeout=60
    )
    assert bare.returncode == 2
    assert bare.stderr == "pingdesk: completion: name the shell: bash, zsh or fish\n"
