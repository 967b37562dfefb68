"""'?': every key on one scrollable screen, built from the bindings themselves.

Nothing here lists keys: each row is a ``Binding`` declared on a class (the ping
table, the main screen, the app), its prose is the binding's ``tooltip``, and its
section is the ``HELP_TITLE`` of the class that defines the binding's action (the
main screen's mixins: moderating, marking, …). A key added, moved or removed there
is in the help at once; tests/tui/test_help.py holds it to that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rich.text import Text
from textual.actions import parse
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Static

ELSEWHERE = "Elsewhere"
# How a few keys read better in prose than as the footer's symbols.
_SPOKEN = {"enter": "enter"}


def key_label(key: str) -> str:
    """'ctrl+z', '?', '/', 'esc', 'shift+tab': one key as the help writes it."""
    *modifiers, name = key.split("+")
    return "+".join([*modifiers, _SPOKEN.get(name) or format_key(name)])


def keys_label(binding: Binding) -> str:
    """'x / space': every key of one binding."""
    return " / ".join(key_label(k.strip()) for k in binding.key.split(","))


@dataclass(frozen=True)
class HelpRow:
    keys: tuple[str, ...]  # as bound: 'question_mark', 'ctrl+z'
    label: str  # as shown: '?', 'ctrl+z'
    text: str  # the binding's tooltip


@dataclass
class HelpSection:
    title: str
    rows: list[HelpRow] = field(default_factory=list)


def declared_bindings(cls: type) -> list[Binding]:
    """The bindings pingdesk's own classes declare (not those Textual's bases add)."""
    out: list[Binding] = []
    for base in reversed(cls.__mro__):
        if base.__module__.startswith("pingdesk."):
            out.extend(b for b in base.__dict__.get("BINDINGS", []) if isinstance(b, Binding))
    return out


def section_of(cls: type, binding: Binding) -> str:
    """The HELP_TITLE of the class (or mixin) that defines the binding's action."""
    _, name, _ = parse(binding.action)
    for base in cls.__mro__:
        if f"action_{name}" in base.__dict__ and "HELP_TITLE" in base.__dict__:
            return str(base.__dict__["HELP_TITLE"])
    return str(getattr(cls, "HELP_TITLE", ELSEWHERE))


def help_sections(classes: Iterable[type], extra: Iterable[Binding] = ()) -> list[HelpSection]:
    """Sections in the order their first key is declared; ``extra``: app-wide keys
    that no pingdesk class declares (the command palette's), under Elsewhere."""
    sections: dict[str, HelpSection] = {}

    def add(title: str, binding: Binding) -> None:
        if binding.system:
            return
        keys = tuple(k.strip() for k in binding.key.split(","))
        row = HelpRow(keys, keys_label(binding), binding.tooltip or binding.description)
        sections.setdefault(title, HelpSection(title)).rows.append(row)

    for cls in classes:
        for binding in declared_bindings(cls):
            add(section_of(cls, binding), binding)
    for binding in extra:
        add(ELSEWHERE, binding)
    if ELSEWHERE in sections:  # last, whatever declared it first
        sections[ELSEWHERE] = sections.pop(ELSEWHERE)
    return list(sections.values())


def palette_binding(app: App[object]) -> list[Binding]:
    """The command palette's key, as the app binds it (none when it is off)."""
    if not app.ENABLE_COMMAND_PALETTE:
        return []
    return [
        Binding(
            app.COMMAND_PALETTE_BINDING,
            "command_palette",
            tooltip="Command palette: close pings, settings, sites, theme",
        )
    ]


def help_text(sections: list[HelpSection], closing: Iterable[BindingType]) -> Text:
    t = Text()
    for n, section in enumerate(sections):
        if n:
            t.append("\n")
        t.append(section.title + "\n", style="bold underline")
        for row in section.rows:
            t.append(f"  {row.label:<16} ", style="bold")
            t.append(row.text + "\n")
    close = next(
        (keys_label(b) for b in closing if isinstance(b, Binding) and b.action == "close"), "esc"
    )
    t.append(f"\n{close} closes this help", style="italic")
    return t


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", tooltip="Close this help"),
        Binding("j,down", "scroll(1)", "Down", show=False, tooltip="Scroll down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, tooltip="Scroll up"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 100%; height: 100%; max-height: 40; border: round $accent;
        background: $surface; padding: 0 1;
    }
    """

    def __init__(self, *classes: type) -> None:
        """``classes``: whose keys to list (the screen and the widgets it holds); the
        app's own keys follow."""
        super().__init__()
        self.classes_shown = classes

    def sections(self) -> list[HelpSection]:
        return help_sections([*self.classes_shown, type(self.app)], extra=palette_binding(self.app))

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(help_text(self.sections(), self.BINDINGS), markup=False)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)
