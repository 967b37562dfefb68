"""Records as a table, JSON, JSON lines, CSV, ids or a count: the one implementation behind
``--format``, ``--fields`` and ``--json`` on every command that prints records.

A command describes its records once (``Fields``: a name and a getter per field, which
fields a table shows and which JSON gives by default) and hands ``Output.write`` its
records a page at a time: every format streams, so ``pingdesk list`` prints its first rows
before the last page is read and holds one page in memory, whatever the list's length.

Everything from the database is hostile: table and CSV cells go through textsafe.clean,
JSON is written with ensure_ascii (escape sequences stay escaped in the JSON text).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TextIO, TypeVar

from pingdesk.errors import UsageError
from pingdesk.textsafe import clean, one_line

R = TypeVar("R")

FORMATS = ("table", "json", "jsonl", "csv", "ids", "count")


@dataclass(frozen=True)
class Field(Generic[R]):
    """One field of a record: its name (the JSON key and, upper-cased, the table header)."""

    name: str
    value: Callable[[R], Any]
    # What the table shows when it says it shorter than the value (an age, "-" for none).
    text: Callable[[R], object] | None = None
    # May be cut with … to fit the terminal; ids and numbers are never cut.
    cut: bool = True
    # Gives up its width first when a row is wider than the terminal (titles, URLs).
    flex: bool = False


def attr_field(name: str, attr: str | None = None, **kw: Any) -> Field[Any]:
    """A field read from the record's attribute ``attr`` (default: ``name``)."""
    from operator import attrgetter

    return Field(name, attrgetter(attr or name), **kw)


def day(when: Any) -> str:
    """A date as the tables show it: 2026-12-03, or '-'."""
    return f"{when:%Y-%m-%d}" if when else "-"


class Fields(Generic[R]):
    """The fields of one command's records, and which of them each format shows."""

    def __init__(
        self,
        fields: Sequence[Field[R]],
        *,
        table: Sequence[str],
        default: Sequence[str] | None = None,
        id_field: str | None = "id",
        to_json: Callable[[R], dict[str, Any]] | None = None,
        vertical: bool = False,
    ) -> None:
        self.by_name = {f.name: f for f in fields}
        self.table = [self.by_name[n] for n in table]
        self.default = [self.by_name[n] for n in (default or self.by_name)]
        self.default_names_in_order = [f.name for f in self.default]
        self.default_names = set(self.default_names_in_order)
        self.id_field = id_field
        # The default JSON object of a record in one call (faster than a getter per field
        # on 100k rows): exactly the default fields, in their order.
        self.to_json = to_json
        self.vertical = vertical  # one record: FIELD / VALUE rows rather than one wide row

    def pick(self, names: str) -> list[Field[R]]:
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in self.by_name]
        if unknown or not wanted:
            raise UsageError(
                f"unknown field {', '.join(unknown) or repr(names)} for --fields; "
                f"valid fields: {', '.join(self.by_name)}"
            )
        return [self.by_name[n] for n in dict.fromkeys(wanted)]


def add_format_args(
    p: argparse.ArgumentParser,
    fields: Fields[Any],
    *,
    formats: Sequence[str] = FORMATS,
    fields_help: str | None = None,
) -> None:
    """--format, --fields and --json (WP-CLI's spelling: --format=csv --fields=id,status)."""
    if fields.id_field is None:
        formats = [f for f in formats if f != "ids"]
    g = p.add_argument_group("output")
    g.add_argument(
        "--format",
        choices=list(formats),
        default="table",
        help="table (default), json, jsonl (a JSON object a line), csv, ids (one a line), count",
    )
    g.add_argument(
        "--fields",
        metavar="A,B,...",
        help="fields to show, in this order: " + (fields_help or ", ".join(fields.by_name)),
    )
    g.add_argument(
        "--json", dest="format", action="store_const", const="json", help="= --format json"
    )
    p.set_defaults(record_fields=fields)


def output(args: argparse.Namespace) -> Output[Any]:
    """The output the command line asks for; an unknown field is a usage error (exit 2),
    raised before the command reads anything."""
    fields: Fields[Any] = args.record_fields
    fmt: str = args.format
    chosen = fields.pick(args.fields) if args.fields else None
    return Output(fmt, fields, chosen)


class Output(Generic[R]):
    def __init__(self, fmt: str, fields: Fields[R], chosen: list[Field[R]] | None) -> None:
        self.format = fmt
        self.spec = fields
        self.chosen = chosen
        self.fields = chosen or (fields.table if fmt == "table" else fields.default)

    @property
    def is_default_json(self) -> bool:
        """--json / --format json without --fields: a command may print its documented
        JSON document (counts: an object by status) instead of a list of records."""
        return self.format == "json" and self.chosen is None

    def write(
        self,
        pages: Iterable[Sequence[R]],
        *,
        empty: str | None = None,
        out: TextIO | None = None,
    ) -> int:
        """Print the records, a page at a time (flushed after each); returns their number.
        ``empty``: what the table says when there are none (other formats print none)."""
        out = out or sys.stdout
        writer = {
            "table": self._table,
            "json": self._json,
            "jsonl": self._jsonl,
            "csv": self._csv,
            "ids": self._ids,
            "count": self._count,
        }[self.format]
        n = writer(pages, out)
        if n == 0 and empty and self.format == "table":
            out.write(empty + "\n")
        out.flush()
        return n

    def write_one(self, record: R, *, out: TextIO | None = None) -> None:
        """One record (`show`): JSON gives the object itself, not a list of one."""
        out = out or sys.stdout
        if self.format == "json":
            d = self._dicts([record])[0]
            json.dump(d, out, indent=2, ensure_ascii=True, default=str)
            out.write("\n")
        else:
            self.write([[record]], out=out)

    def write_ids(self, ids: Sequence[int | str], *, out: TextIO | None = None) -> None:
        """``--format ids`` / ``count`` when the command has the ids alone."""
        out = out or sys.stdout
        if self.format == "count":
            out.write(f"{len(ids)}\n")
        else:
            for start in range(0, len(ids), 10_000):
                out.write("".join(f"{i}\n" for i in ids[start : start + 10_000]))
        out.flush()

    # -- JSON ------------------------------------------------------------------

    def _dicts(self, page: Sequence[R]) -> list[dict[str, Any]]:
        names = [f.name for f in self.fields]
        if self.spec.to_json is not None and self.fields == self.spec.default:
            return [self.spec.to_json(r) for r in page]
        if self.spec.to_json is not None and all(n in self.spec.default_names for n in names):
            whole = [self.spec.to_json(r) for r in page]
            return [{n: d[n] for n in names} for d in whole]
        return [{f.name: f.value(r) for f in self.fields} for r in page]

    def _json(self, pages: Iterable[Sequence[R]], out: TextIO) -> int:
        """A JSON array, written as it goes; the same text json.dump(indent=2) would give."""
        n = 0
        for page in pages:
            for d in self._dicts(page):
                # ensure_ascii: no newline inside a string, so every newline is layout.
                out.write(("[\n  " if n == 0 else ",\n  ") + indented(d).replace("\n", "\n  "))
                n += 1
            out.flush()
        out.write("\n]\n" if n else "[]\n")
        return n

    def _jsonl(self, pages: Iterable[Sequence[R]], out: TextIO) -> int:
        n = 0
        for page in pages:
            dicts = self._dicts(page)
            if dicts:
                out.write("\n".join(map(_encode, dicts)) + "\n")
                n += len(dicts)
            out.flush()
        return n

    # -- CSV, ids, count -----------------------------------------------------------

    def _csv(self, pages: Iterable[Sequence[R]], out: TextIO) -> int:
        import csv

        w = csv.writer(out, lineterminator="\n")
        names = [f.name for f in self.fields]
        w.writerow(names)
        n = 0
        for page in pages:
            # The JSON values, so a CSV says what --format json says, cell for cell.
            w.writerows([[csv_text(d[k]) for k in names] for d in self._dicts(page)])
            n += len(page)
            out.flush()
        return n

    def _ids(self, pages: Iterable[Sequence[R]], out: TextIO) -> int:
        if self.spec.id_field is None:
            raise UsageError("these records have no ids; use another --format")
        get = self.spec.by_name[self.spec.id_field].value
        n = 0
        for page in pages:
            if page:
                out.write("".join(f"{get(r)}\n" for r in page))
                n += len(page)
            out.flush()
        return n

    def _count(self, pages: Iterable[Sequence[R]], out: TextIO) -> int:
        n = sum(len(page) for page in pages)
        out.write(f"{n}\n")
        return n

    # -- the table -----------------------------------------------------------------

    def _table(self, pages: Iterable[Sequence[R]], out: TextIO) -> int:
        from pingdesk.cli import cells

        fit = cells.Fitter(out)
        headers = [f.name.upper() for f in self.fields]
        if self.spec.vertical:
            n = 0
            for page in pages:
                for r in page:
                    rows = [
                        [h, fit.prepare(table_text(f, r))]
                        for h, f in zip(headers, self.fields, strict=True)
                    ]
                    one = cells.Table(["FIELD", "VALUE"], [False, True], [False, True], fit)
                    one.size(rows)
                    out.write(one.render(rows))
                    n += 1
            return n
        # Widths come from the first page (the rows read before anything is printed, up
        # to a keyset page of 1,000): later rows are cut to them, so a table of 100k rows
        # starts at once and never holds more than a page. Nothing is cut when stdout is
        # not a terminal and COLUMNS is not set (see cells.Fitter).
        table = cells.Table(
            headers, [f.cut for f in self.fields], [f.flex for f in self.fields], fit
        )
        n = 0
        for page in pages:
            rows = [[fit.prepare(table_text(f, r)) for f in self.fields] for r in page]
            if n == 0 and rows:
                table.size(rows)
                out.write(table.header())
            if rows:
                out.write(table.render(rows))
                n += len(rows)
            out.flush()
        return n


_encode = json.JSONEncoder(ensure_ascii=True, default=str).encode  # the C encoder


def indented(d: dict[str, Any]) -> str:
    """json.dumps(d, indent=2, ensure_ascii=True, default=str), a flat object written with
    the C encoder (indent= takes the pure-Python one: half of `list --json`'s time)."""
    if not d or any(isinstance(v, dict | list | tuple) for v in d.values()):
        return json.dumps(d, indent=2, ensure_ascii=True, default=str)
    return "{\n  " + ",\n  ".join(f"{_encode(k)}: {_encode(v)}" for k, v in d.items()) + "\n}"


def table_text(field: Field[R], record: R) -> str:
    """One line: control characters and invisible format characters (a zero-width space
    inside a domain) escaped, whitespace runs collapsed, a 10 MB comment cut at 512."""
    value = field.text(record) if field.text is not None else field.value(record)
    return one_line(plain_text(value))


def csv_text(value: object) -> str:
    # Newlines are kept (csv quotes them); escape sequences are not (a CSV gets `cat`ed).
    return clean(plain_text(value), keep_newlines=True)


def plain_text(value: object) -> str:
    """A JSON value as a cell: none empty, booleans as JSON spells them, lists and
    objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
