"""Completion scripts for bash, zsh and fish, generated from pingdesk's argparse tree.

Made from the same parser `pingdesk --help` prints, so a new command, option or
choice completes without anyone editing a script. Each script holds, per command
path ("", "list", "akismet check"), its subcommands, its options and which of
them take a value; a small walker in the shell's own language finds the path of
the line being typed, skipping options and their values.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from pingdesk.cli.parser import subcommands

# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Option:
    names: tuple[str, ...]
    help: str
    takes_value: bool
    choices: tuple[str, ...] = ()
    kind: str = ""  # how its value completes: "choice", "file", "profile" or "" (free text)


@dataclass(frozen=True)
class Node:
    """One command path: "" is `pingdesk` itself, "akismet check" a nested command."""

    path: str
    commands: tuple[tuple[str, str], ...]  # (name, help)
    options: tuple[Option, ...]
    words: tuple[str, ...]  # what its positionals complete to (completion: bash zsh fish)

    @property
    def valued(self) -> list[str]:
        return [name for o in self.options if o.takes_value for name in o.names]


def _help(action: argparse.Action) -> str:
    text = " ".join(str(action.help or "").split())
    return text.replace("%%", "%")


def _option(action: argparse.Action) -> Option:
    takes_value = action.nargs != 0
    choices = tuple(str(c) for c in action.choices or ())
    if choices:
        kind = "choice"
    elif action.dest == "profile":
        kind = "profile"
    elif action.dest == "wp_config" or action.metavar in ("PATH", "FILE"):
        kind = "file"
    else:
        kind = ""
    names = tuple(n for n in action.option_strings if n.startswith("--")) or tuple(
        action.option_strings
    )
    return Option(names, _help(action), takes_value, choices, kind if takes_value else "")


def nodes(root: argparse.ArgumentParser) -> list[Node]:
    """Every command path of the parser, the root first."""
    top = tuple(subcommands(root))
    found: list[Node] = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        options: list[Option] = []
        commands: list[tuple[str, str]] = []
        words: list[str] = []
        for action in parser._actions:
            if action.help == argparse.SUPPRESS:
                continue
            if isinstance(action, argparse._SubParsersAction):
                commands = [(a.dest, _help(a)) for a in action._choices_actions]
            elif action.option_strings:
                options.append(_option(action))
            elif action.choices:
                words.extend(str(c) for c in action.choices)
        if path == "help":
            words.extend(top)  # pingdesk help COMMAND
        found.append(Node(path, tuple(commands), tuple(options), tuple(words)))
        for name, below in subcommands(parser).items():
            walk(below, f"{path} {name}".strip())

    walk(root, "")
    return found


def script(shell: str, root: argparse.ArgumentParser) -> str:
    from pingdesk import __version__

    emit = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[shell]
    head = f"# {shell} completion for pingdesk {__version__}, made by `pingdesk completion {shell}`"
    return f"{head}\n{emit(nodes(root))}"


# --------------------------------------------------------------------------- bash and zsh

# The walker and value completion are the same logic in bash and zsh; only the
# shells' ways of offering words differ. `node` (not `path`: zsh ties that to PATH)
# is the command path of the words before the cursor.


def _node_table(nodes: list[Node]) -> str:
    """A case statement setting subs / opts / vals / posw for a command path."""
    lines = []
    for n in nodes:
        subs = " ".join(name for name, _ in n.commands)
        opts = " ".join(name for o in n.options for name in o.names)
        lines.append(
            f'        "{n.path}") subs="{subs}"; opts="{opts}"; '
            f'vals="{" ".join(n.valued)}"; posw="{" ".join(n.words)}" ;;'
        )
    return "\n".join(lines)


def _value_table(nodes: list[Node]) -> str:
    """A case statement on "path|--option" setting kind (and choices)."""
    lines: dict[str, str] = {}
    for n in nodes:
        for o in n.options:
            if not o.kind:
                continue
            for name in o.names:
                key = f'"{n.path}|{name}"'
                lines[key] = f'        {key}) kind={o.kind}; choices="{" ".join(o.choices)}" ;;'
    return "\n".join(lines.values())


_WALK = """\
    local i w skip=0 subs opts vals posw
    for ((i = 1; i < cword; i++)); do
        w=${line[i]}
        [[ $w == "=" ]] && continue
        if ((skip)); then skip=0; continue; fi
        _pingdesk_node "$node"
        case $w in
            --*=*) continue ;;
            -*) [[ " $vals " == *" $w "* ]] && skip=1; continue ;;
        esac
        [[ " $subs " == *" $w "* ]] && node=${node:+$node }$w
    done
    _pingdesk_node "$node"
"""


def bash_script(nodes: list[Node]) -> str:
    return f"""
_pingdesk_node() {{
    case $1 in
{_node_table(nodes)}
        *) subs=""; opts=""; vals=""; posw="" ;;
    esac
}}

_pingdesk_value() {{
    kind=""; choices=""
    case "$1|$2" in
{_value_table(nodes)}
    esac
}}

_pingdesk() {{
    local -a line=("${{COMP_WORDS[@]}}")
    local cword=$COMP_CWORD cur=${{COMP_WORDS[COMP_CWORD]}} node="" option="" kind choices
{_WALK}
    # bash splits --status=pe at '=' (COMP_WORDBREAKS): [--status] [=] [pe]
    if [[ $cur == "=" ]]; then
        option=${{line[cword - 1]}}; cur=""
    elif ((cword > 1)) && [[ ${{line[cword - 1]}} == "=" ]]; then
        option=${{line[cword - 2]}}
    elif ((cword > 1)) && [[ " $vals " == *" ${{line[cword - 1]}} "* ]]; then
        option=${{line[cword - 1]}}
    fi
    COMPREPLY=()
    if [[ -n $option ]]; then
        _pingdesk_value "$node" "$option"
        case $kind in
            choice) mapfile -t COMPREPLY < <(compgen -W "$choices" -- "$cur") ;;
            profile) mapfile -t COMPREPLY < <(compgen -W \\
                "$("${{COMP_WORDS[0]}}" completion --profiles 2>/dev/null)" -- "$cur") ;;
            file) compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
        esac
        return 0
    fi
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -W "$subs $posw" -- "$cur")
    fi
    return 0
}}

complete -F _pingdesk pingdesk
"""


def zsh_script(nodes: list[Node]) -> str:
    return f"""#compdef pingdesk

_pingdesk_node() {{
    case $1 in
{_node_table(nodes)}
        *) subs=""; opts=""; vals=""; posw="" ;;
    esac
}}

_pingdesk_value() {{
    kind=""; choices=""
    case "$1|$2" in
{_value_table(nodes)}
    esac
}}

_pingdesk_offer() {{
    # $1: kind, $2: choices, $3: a prefix already typed (--status=)
    case $1 in
        choice) compadd -P "$3" -- ${{=2}} ;;
        profile) compadd -P "$3" -- ${{(f)"$(${{words[1]}} completion --profiles 2>/dev/null)"}} ;;
        file) _files ;;
    esac
}}

_pingdesk() {{
    # zsh counts words from 1, the walker from 0 (as bash's COMP_WORDS)
    local cword=$((CURRENT - 1)) cur=${{words[CURRENT]}} node="" kind choices
{_WALK.replace("${line[i]}", "${words[i + 1]}")}
    local prev=${{words[CURRENT - 1]}}
    if [[ $cur == --*=* ]]; then
        _pingdesk_value "$node" "${{cur%%=*}}"
        _pingdesk_offer "$kind" "$choices" "${{cur%%=*}}="
    elif ((CURRENT > 2)) && [[ " $vals " == *" $prev "* ]]; then
        _pingdesk_value "$node" "$prev"
        _pingdesk_offer "$kind" "$choices" ""
    elif [[ $cur == -* ]]; then
        compadd -- ${{=opts}}
    else
        compadd -- ${{=subs}} ${{=posw}}
    fi
}}

if [[ $funcstack[1] == _pingdesk ]]; then
    _pingdesk "$@"
else
    compdef _pingdesk pingdesk
fi
"""


# --------------------------------------------------------------------------- fish


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish_script(nodes: list[Node]) -> str:
    subs_cases = "\n".join(
        f"        case {_fish_quote(n.path)}\n            printf '%s\\n' {' '.join(n.valued)}"
        for n in nodes
        if n.valued
    )
    cmd_cases = "\n".join(
        f"        case {_fish_quote(n.path)}\n"
        f"            printf '%s\\n' {' '.join(name for name, _ in n.commands)}"
        for n in nodes
        if n.commands
    )
    lines = [
        "",
        "function __pingdesk_valued  # options of a command path that take a value",
        "    switch $argv[1]",
        subs_cases,
        "    end",
        "end",
        "",
        "function __pingdesk_commands  # subcommands of a command path",
        "    switch $argv[1]",
        cmd_cases,
        "    end",
        "end",
        "",
        "function __pingdesk_node  # the command path of the words before the cursor",
        "    set -l node ''",
        "    set -l skip 0",
        "    for w in (commandline -opc)[2..-1]",
        "        if test $skip = 1",
        "            set skip 0",
        "            continue",
        "        end",
        "        switch $w",
        "            case '--*=*'",
        "                continue",
        "            case '-*'",
        "                contains -- $w (__pingdesk_valued $node); and set skip 1",
        "                continue",
        "        end",
        "        if contains -- $w (__pingdesk_commands $node)",
        '            set node (string trim -- "$node $w")',
        "        end",
        "    end",
        "    echo $node",
        "end",
        "",
        "function __pingdesk_at",
        '    test "$(__pingdesk_node)" = "$argv[1]"',
        "end",
        "",
        "complete -c pingdesk -f",
    ]
    for n in nodes:
        at = f"-n {_fish_quote('__pingdesk_at ' + _fish_quote(n.path))}"
        for name, text in n.commands:
            lines.append(f"complete -c pingdesk {at} -a {name} -d {_fish_quote(text)}")
        if n.words:
            lines.append(f"complete -c pingdesk {at} -a {_fish_quote(' '.join(n.words))}")
        for o in n.options:
            flags = " ".join(
                f"-l {name[2:]}" if name.startswith("--") else f"-s {name[1:]}" for name in o.names
            )
            value = ""
            if o.kind == "choice":
                value = f" -x -a {_fish_quote(' '.join(o.choices))}"
            elif o.kind == "profile":
                value = " -x -a '(pingdesk completion --profiles 2>/dev/null)'"
            elif o.kind == "file":
                value = " -r -F"
            elif o.takes_value:
                value = " -x"
            lines.append(f"complete -c pingdesk {at} {flags}{value} -d {_fish_quote(o.help)}")
    return "\n".join(lines) + "\n"
