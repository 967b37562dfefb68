"""What a bulk write did (or would do) to each ping it was given, in a few lines.

``pingdesk approve 1 2 … 100000`` prints one summary line ("approved 99,990 pings;
10 skipped: 6 already approved, 4 no such ping") and names at most ~10 of the
pings it left alone; ``--format json`` gives every id's outcome. The statuses are
WordPress's names (pending, approved, spam, trash), never its codes ('0', '1').
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pingdesk.wp.moderation import ModerationResult

# How a ping is named: '#48' on one blog; across blogs the command sets 'site:48'.
naming: ContextVar[Callable[[int], str] | None] = ContextVar("naming", default=None)


def name(i: int) -> str:
    named = naming.get()
    return named(i) if named else f"#{i}"


def json_id(i: int) -> int | str:
    named = naming.get()
    return named(i) if named else i


# A summary names at most this many ids; --format json has them all.
MAX_NAMED = 10
NO_SUCH_PING = "no such ping"
WOULD = {
    "approve": "would approve",
    "unapprove": "would unapprove",
    "spam": "would mark as spam",
    "unspam": "would mark as not spam",
    "trash": "would trash",
    "untrash": "would restore from the trash",
    "delete": "would delete permanently",
}


@dataclass(frozen=True)
class Left:
    """A ping the command left alone: why (a group label) and the sentence for it."""

    id: int
    outcome: str  # skipped | conflict | missing
    label: str
    sentence: str


@dataclass
class Outcomes:
    verb: str  # "approved", "would approve"
    changed: list[int]
    left: list[Left] = field(default_factory=list)
    # Status names before and after, per changed ping (names, "deleted").
    moves: dict[int, tuple[str, str]] = field(default_factory=dict)
    undo_hint: bool = False

    @property
    def missing(self) -> list[int]:
        return [x.id for x in self.left if x.outcome == "missing"]

    @property
    def nothing_exists(self) -> bool:
        """Every id asked for is not a ping here: bad input (exit 2), not a partial success."""
        return bool(self.left) and not self.changed and len(self.missing) == len(self.left)

    def groups(self) -> dict[str, list[Left]]:
        out: dict[str, list[Left]] = {}
        for x in self.left:
            out.setdefault(x.label, []).append(x)
        return out

    def lines(self) -> list[str]:
        from pingdesk.services.words import plural

        head = f"{self.verb} {plural(len(self.changed), 'ping')}"
        if self.undo_hint and self.changed:
            head += " (undo: pingdesk undo)"
        groups = self.groups()
        if self.left:
            head += f"; {len(self.left):,} skipped: " + ", ".join(
                f"{len(v):,} {label}" for label, v in groups.items()
            )
        out = [head]
        if len(self.left) <= MAX_NAMED:
            out.extend(x.sentence for x in self.left)
            return out
        each = max(1, MAX_NAMED // len(groups))
        for label, items in groups.items():
            named = ", ".join(name(x.id) for x in items[:each])
            more = ", …" if len(items) > each else ""
            out.append(f"{label}: {named}{more}")
        out.append("(--format json lists every ping's outcome)")
        return out

    def missing_message(self) -> str:
        return no_such_pings(self.missing)

    def to_json(self) -> list[dict[str, Any]]:
        """Every id's outcome, in the order: changed, then those left alone."""
        done = "would-change" if self.verb.startswith("would") else "changed"
        rows: list[dict[str, Any]] = []
        for i in self.changed:
            row: dict[str, Any] = {"id": json_id(i), "outcome": done}
            if i in self.moves:
                row["from"], row["to"] = self.moves[i]
            rows.append(row)
        rows.extend(
            {"id": json_id(x.id), "outcome": x.outcome, "reason": x.label, "message": x.sentence}
            for x in self.left
        )
        return rows


def no_such_pings(ids: Sequence[int]) -> str:
    """The one line for 'none of these ids is a ping here'."""
    if len(ids) == 1:
        return f"no ping {name(ids[0])} on this blog"
    named = ", ".join(name(i) for i in ids[:MAX_NAMED])
    more = f", … ({len(ids):,} ids)" if len(ids) > MAX_NAMED else ""
    return f"no such pings on this blog: {named}{more}"


def _skipped(i: int, reason: str) -> Left:
    # Grouped by the reason's head: "spam; approve applies to pending pings" -> "spam".
    label = reason.split(";")[0].split(" (")[0]
    return Left(i, "skipped", label, f"{name(i)} is {reason}")


def _missing(ids: Sequence[int]) -> list[Left]:
    return [Left(i, "missing", NO_SUCH_PING, f"no ping {name(i)}") for i in ids]


def of_result(res: ModerationResult) -> Outcomes:
    from pingdesk.services.words import past
    from pingdesk.wp.moderation import status_phrase
    from pingdesk.wp.pings import STATUS_NAMES

    left = [_skipped(i, reason) for i, reason in res.skipped]
    for c in res.conflicts:
        if c.actual is None:
            label, sentence = (
                "deleted meanwhile",
                f"{name(c.id)} was deleted by someone else meanwhile",
            )
        else:
            label = "changed meanwhile"
            sentence = (
                f"{name(c.id)} was changed by someone else meanwhile (now "
                f"{status_phrase(c.actual)}); left alone"
            )
        left.append(Left(c.id, "conflict", label, sentence))
    left.extend(_missing(res.missing))
    moves = {
        i: (STATUS_NAMES.get(old, old), STATUS_NAMES.get(new, new))
        for i, (old, new) in res.transitions.items()
    }
    return Outcomes(
        past(res.action),
        list(res.changed),
        left,
        moves=moves,
        undo_hint=res.journal_id is not None,
    )


def of_plan(action: str, current: Mapping[int, str], missing: Sequence[int]) -> Outcomes:
    """What ``action`` would do to pings in these statuses (a dry run)."""
    from pingdesk.wp.moderation import APPLICABLE, skip_reason

    would = {i for i, s in current.items() if s in APPLICABLE[action]}
    left = [
        _skipped(i, skip_reason(action, s))
        for i, s in current.items()
        if s not in APPLICABLE[action]
    ]
    return Outcomes(WOULD[action], [i for i in current if i in would], left + _missing(missing))
