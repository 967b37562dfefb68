"""Read wp-config.php as text: the database settings, without running PHP.

Running the file would mean trusting it and needing PHP; instead this is a small
tokenizer plus an evaluator for the expressions real configs use: literals,
concatenation, constants, ``getenv('X') ?: 'default'``, the official Docker
image's ``getenv_docker('X', 'default')``, ``__DIR__``/``dirname(__FILE__)`` and
includes of other config files by a literal path. Anything else in a setting we
need is reported as unreadable instead of being guessed.

PHP semantics mirrored on purpose: the first ``define`` of a constant wins (a
second one is a no-op with a warning), and the last assignment to a variable
wins unless it is guarded by ``if ( ! isset( $var ) )``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pingdesk.errors import ConfigError

__all__ = [
    "DbHost",
    "WPConfig",
    "find_wp_config",
    "parse_db_host",
    "parse_wp_config",
    "parse_wp_config_text",
]

PHPValue = str | int | float | bool | None

SQLITE_DEFAULT_FILE = ".ht.sqlite"
# Core files that a wp-config.php requires at its end: following them would
# mean reading all of WordPress, and they hold no settings.
_CORE_FILES = frozenset({"wp-settings.php", "wp-load.php", "wp-blog-header.php"})
_MAX_INCLUDE_DEPTH = 8
_MAX_INCLUDE_BYTES = 1_000_000


class Unknown:
    """A value that cannot be known without running PHP; remembers why."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


Value = PHPValue | Unknown


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str  # 'str', 'num', 'id', 'var', 'op', 'end' (';' or '?>')
    value: str | int | float | None
    line: int
    # A double-quoted string with "$var" in it: its value is not knowable.
    dynamic: bool = False


# PHP's identifier bytes are [a-zA-Z0-9_\x80-\xff]: every byte of a UTF-8 non-ASCII
# character is >= 0x80, so any non-ASCII character belongs. Written as a negated ASCII
# range: a class spelled \x80-\uffff costs ~20 ms to compile, paid by every command.
_ID_START = r"(?:[A-Za-z_]|[^\x00-\x7f])"
_ID_REST = r"(?:[A-Za-z0-9_]|[^\x00-\x7f])*"
_IDENT_RE = re.compile(rf"\\?{_ID_START}{_ID_REST}(?:\\[A-Za-z_][\w]*)*")
_VAR_RE = re.compile(rf"\${_ID_START}{_ID_REST}")
_NUM_RE = re.compile(
    r"0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+"
    r"|(?:\d[\d_]*)?\.\d[\d_]*(?:[eE][+-]?\d+)?|\d[\d_]*(?:\.(?!\.)[\d_]*)?(?:[eE][+-]?\d+)?"
)
_OPS = (
    "<<=", ">>=", "**=", "...", "<=>", "===", "!==", "??=",
    "??", "?:", "?->", "::", "->", "=>", "==", "!=", "<>", "<=", ">=", "&&", "||",
    ".=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "++", "--", "<<", ">>", "**",
)  # fmt: skip
_DQ_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "v": "\v",
    "e": "\x1b",
    "f": "\f",
    "\\": "\\",
    "$": "$",
    '"': '"',
}
_CAST_RE = re.compile(
    r"\(\s*(int|integer|bool|boolean|float|double|real|string|binary)\s*\)", re.IGNORECASE
)


class _Lexer:
    def __init__(self, text: str, where: str, *, php_mode: bool = False) -> None:
        self.text = text
        self.where = where
        self.pos = 0
        self.line = 1
        self.php_mode = php_mode
        self.saw_php_tag = php_mode
        self.toks: list[Tok] = []

    def fail(self, line: int, what: str) -> ConfigError:
        return ConfigError(f"{self.where}:{line}: {what}")

    def _advance(self, n: int) -> str:
        chunk = self.text[self.pos : self.pos + n]
        self.line += chunk.count("\n")
        self.pos += n
        return chunk

    def run(self) -> list[Tok]:
        text = self.text
        while self.pos < len(text):
            if not self.php_mode:
                m = re.compile(r"<\?(?:php\b|=)?", re.IGNORECASE).search(text, self.pos)
                if m is None:
                    break
                self._advance(m.end() - self.pos)
                self.php_mode = True
                self.saw_php_tag = True
                continue
            self._php_token()
        self.toks.append(Tok("end", None, self.line))
        return self.toks

    def _php_token(self) -> None:
        text, pos = self.text, self.pos
        ch = text[pos]
        if ch in " \t\r\n\f\v":
            self._advance(1)
            return
        if text.startswith("?>", pos):
            self.toks.append(Tok("end", "?>", self.line))
            self._advance(2)
            self.php_mode = False
            return
        if text.startswith("//", pos) or (ch == "#" and not text.startswith("#[", pos)):
            # A line comment ends at the newline or at a closing tag.
            m = re.compile(r"\n|\?>").search(text, pos)
            self._advance((m.start() if m else len(text)) - pos)
            return
        if text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            if end < 0:
                raise self.fail(self.line, "unterminated /* comment")
            self._advance(end + 2 - pos)
            return
        if ch == "'":
            self._single_quoted()
            return
        if ch == '"':
            self._double_quoted()
            return
        if text.startswith("<<<", pos):
            self._heredoc()
            return
        if ch == "$":
            m = _VAR_RE.match(text, pos)
            if m:
                self.toks.append(Tok("var", m.group()[1:], self.line))
                self._advance(m.end() - pos)
                return
        if ch.isdigit() or (ch == "." and pos + 1 < len(text) and text[pos + 1].isdigit()):
            m = _NUM_RE.match(text, pos)
            if m:
                self.toks.append(Tok("num", _php_number(m.group()), self.line))
                self._advance(m.end() - pos)
                return
        m = _IDENT_RE.match(text, pos)
        if m:
            self.toks.append(Tok("id", m.group(), self.line))
            self._advance(m.end() - pos)
            return
        if ch == "(":
            cast = _CAST_RE.match(text, pos)
            if cast:
                self.toks.append(Tok("op", f"({cast.group(1).lower()})", self.line))
                self._advance(cast.end() - pos)
                return
        for op in _OPS:
            if text.startswith(op, pos):
                self.toks.append(Tok("op", op, self.line))
                self._advance(len(op))
                return
        self.toks.append(Tok("end" if ch == ";" else "op", ch, self.line))
        self._advance(1)

    def _single_quoted(self) -> None:
        start_line, text = self.line, self.text
        i, out = self.pos + 1, []
        while True:
            if i >= len(text):
                raise self.fail(start_line, "unterminated string")
            c = text[i]
            if c == "\\" and i + 1 < len(text) and text[i + 1] in "\\'":
                out.append(text[i + 1])
                i += 2
            elif c == "'":
                break
            else:
                out.append(c)
                i += 1
        self._advance(i + 1 - self.pos)
        self.toks.append(Tok("str", "".join(out), start_line))

    def _double_quoted(self) -> None:
        start_line, text = self.line, self.text
        i = self.pos + 1
        while True:
            if i >= len(text):
                raise self.fail(start_line, "unterminated string")
            if text[i] == "\\":
                i += 2
            elif text[i] == '"':
                break
            else:
                i += 1
        body = text[self.pos + 1 : i]
        self._advance(i + 1 - self.pos)
        value, dynamic = _unescape_double(body)
        self.toks.append(Tok("str", value, start_line, dynamic))

    def _heredoc(self) -> None:
        start_line, text = self.line, self.text
        m = re.compile(r"<<<[ \t]*(['\"]?)([A-Za-z_]\w*)\1\r?\n").match(text, self.pos)
        if not m:
            self.toks.append(Tok("op", "<<", self.line))
            self._advance(2)
            return
        label, nowdoc = m.group(2), m.group(1) == "'"
        close = re.compile(rf"^([ \t]*){re.escape(label)}\b", re.MULTILINE).search(text, m.end())
        if close is None:
            raise self.fail(start_line, f"unterminated heredoc <<<{label}")
        body = text[m.end() : close.start()]
        indent = close.group(1)
        lines = body.split("\n")
        if lines and lines[-1].strip() == "":
            lines.pop()
        if indent:
            lines = [ln[len(indent) :] if ln.startswith(indent) else ln.lstrip() for ln in lines]
        raw = "\n".join(lines)
        self._advance(close.end() - self.pos)
        if nowdoc:
            self.toks.append(Tok("str", raw, start_line))
        else:
            value, dynamic = _unescape_double(raw, quote=False)
            self.toks.append(Tok("str", value, start_line, dynamic))


def _unescape_double(body: str, *, quote: bool = True) -> tuple[str, bool]:
    out: list[str] = []
    dynamic = False
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            if n in _DQ_ESCAPES and (quote or n != '"'):
                out.append(_DQ_ESCAPES[n])
                i += 2
                continue
            if n in "01234567":
                m = re.compile(r"[0-7]{1,3}").match(body, i + 1)
                assert m is not None
                out.append(chr(int(m.group(), 8) & 0xFF))
                i = m.end()
                continue
            if n == "x":
                m = re.compile(r"[0-9A-Fa-f]{1,2}").match(body, i + 2)
                if m:
                    out.append(chr(int(m.group(), 16)))
                    i = m.end()
                    continue
            if n == "u":
                m = re.compile(r"\{([0-9A-Fa-f]+)\}").match(body, i + 2)
                if m:
                    out.append(chr(int(m.group(1), 16)))
                    i = m.end()
                    continue
            out.append(c)
            i += 1
            continue
        if (c == "$" and i + 1 < len(body) and (body[i + 1].isalpha() or body[i + 1] in "_{")) or (
            c == "{" and body.startswith("{$", i)
        ):
            dynamic = True
        out.append(c)
        i += 1
    return "".join(out), dynamic


def _php_number(text: str) -> int | float:
    t = text.replace("_", "").lower()
    if t.startswith("0x"):
        return int(t, 16)
    if t.startswith("0b"):
        return int(t, 2)
    if t.startswith("0o"):
        return int(t[2:], 8)
    if any(c in t for c in ".e"):
        return float(t)
    if len(t) > 1 and t.startswith("0"):
        return int(t, 8)  # PHP's legacy octal literal
    return int(t)


# --------------------------------------------------------------------------- values


def php_truthy(v: PHPValue) -> bool:
    if isinstance(v, str):
        return v not in ("", "0")
    return bool(v)


def php_string(v: PHPValue) -> str:
    if v is None or v is False:
        return ""
    if v is True:
        return "1"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


class _Syntax(Exception):
    """An expression we cannot parse; the caller decides whether that matters."""


_BINARY_PREC = {
    "??": 7,  # handled right-associatively below
    "||": 8,
    "or": 8,
    "&&": 9,
    "and": 9,
    "==": 10,
    "!=": 10,
    "<>": 10,
    "===": 10,
    "!==": 10,
    "<": 11,
    ">": 11,
    "<=": 11,
    ">=": 11,
    ".": 12,
    "+": 13,
    "-": 13,
    "*": 14,
    "/": 14,
    "%": 14,
}
_TERNARY_PREC = 6


@dataclass
class _State:
    path: Path
    env: Mapping[str, str]
    constants: dict[str, Value] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    variables: dict[str, Value] = field(default_factory=dict)
    variable_lines: dict[str, int] = field(default_factory=dict)
    included: list[Path] = field(default_factory=list)
    depth: int = 0


class _Evaluator:
    """Evaluates one file's statements of interest into a shared _State."""

    def __init__(self, toks: list[Tok], state: _State, path: Path, label: str = "") -> None:
        self.toks = toks
        self.i = 0
        self.state = state
        self.path = path  # the file being read: __FILE__ / __DIR__
        self.label = label or str(path)  # where, in messages

    # -- statement scan

    def run(self) -> None:
        toks = self.toks
        while self.i < len(toks):
            t = toks[self.i]
            prev = toks[self.i - 1] if self.i else None
            after_member = prev is not None and prev.kind == "op" and prev.value in ("->", "::")
            after_function = prev is not None and prev.kind == "id" and prev.value == "function"
            if (
                t.kind == "id"
                and isinstance(t.value, str)
                and t.value.lstrip("\\").lower() == "define"
                and self._peek_op(1, "(")
                and not after_member
                and not after_function
            ):
                self._define(t)
                continue
            if t.kind == "var" and self._peek_op(1, "=") and not self._is_subscripted(prev):
                self._assign(t)
                continue
            if (
                t.kind == "id"
                and isinstance(t.value, str)
                and t.value.lower() in ("require", "require_once", "include", "include_once")
            ):
                self._include()
                continue
            if (
                t.kind == "id"
                and isinstance(t.value, str)
                and t.value.lower() == "eval"
                and self._peek_op(1, "(")
            ):
                self._eval_call()
                continue
            self.i += 1

    def _peek_op(self, k: int, op: str) -> bool:
        j = self.i + k
        return j < len(self.toks) and self.toks[j].kind == "op" and self.toks[j].value == op

    @staticmethod
    def _is_subscripted(prev: Tok | None) -> bool:
        return prev is not None and prev.kind == "op" and prev.value in ("->", "::", "$")

    def _fail(self, line: int, what: str) -> ConfigError:
        return ConfigError(f"{self.label}:{line}: {what}")

    def _define(self, t: Tok) -> None:
        self.i += 2  # define (
        start = self.i
        try:
            name_v = self.expr()
            if not self._accept(","):
                raise _Syntax("expected ',' after the constant name")
            value = self.expr()
            if self._accept(","):
                self.expr()  # the long-removed case_insensitive flag
            if not self._accept(")"):
                raise _Syntax("expected ')'")
        except _Syntax as exc:
            if self.toks[self.i].kind == "end":
                # A ';' or the end of the file inside define( ... ): PHP itself would
                # refuse this file, so say so now rather than when the value is needed.
                where = self.toks[self.i]
                raise self._fail(
                    where.line, f"syntax error in define() started on line {t.line}: {exc}"
                ) from None
            self.i = start
            self._skip_balanced()
            name = self._first_literal(start)
            if name is None:
                raise self._fail(t.line, f"cannot read this define(): {exc}") from None
            # A define() whose value we cannot read is only an error if it is
            # one of the settings we need; remember why.
            self._store_constant(name, Unknown(f"{exc} (line {t.line})"), t.line)
            return
        if isinstance(name_v, Unknown) or not isinstance(name_v, str):
            return
        self._store_constant(name_v, value, t.line)

    def _store_constant(self, name: str, value: Value, line: int) -> None:
        st = self.state
        if name not in st.constants:  # PHP: redefining a constant is a no-op
            st.constants[name] = value
            st.lines[name] = line
            st.sources[name] = self.label

    def _first_literal(self, start: int) -> str | None:
        t = self.toks[start] if start < len(self.toks) else None
        return t.value if t is not None and t.kind == "str" and isinstance(t.value, str) else None

    def _skip_balanced(self) -> None:
        depth = 1
        while self.i < len(self.toks):
            t = self.toks[self.i]
            if t.kind == "op" and t.value in ("(", "["):
                depth += 1
            elif t.kind == "op" and t.value in (")", "]"):
                depth -= 1
                if depth == 0:
                    self.i += 1
                    return
            elif t.kind == "end":
                return
            self.i += 1

    def _guarded_by_isset(self, name: str) -> bool:
        """Whether the assignment at self.i follows ``if ( ! isset( $name ) )``."""
        want: list[tuple[str, object]] = [
            ("id", "if"),
            ("op", "("),
            ("op", "!"),
            ("id", "isset"),
            ("op", "("),
            ("var", name),
            ("op", ")"),
            ("op", ")"),
        ]
        j = self.i - 1
        if j >= 0 and self.toks[j].kind == "op" and self.toks[j].value == "{":
            j -= 1
        for kind, value in reversed(want):
            if j < 0:
                return False
            t = self.toks[j]
            v = t.value.lower() if isinstance(t.value, str) and kind == "id" else t.value
            if t.kind != kind or v != value:
                return False
            j -= 1
        return True

    def _assign(self, t: Tok) -> None:
        name = str(t.value)
        guarded = self._guarded_by_isset(name)
        self.i += 2
        try:
            value = self.expr()
            nxt = self.toks[self.i]
            # ")" ends an assignment inside a condition: if ($x = getenv('X')).
            if nxt.kind != "end" and not (nxt.kind == "op" and nxt.value == ")"):
                raise _Syntax("unexpected tokens after the value")
        except _Syntax as exc:
            value = Unknown(f"{exc} (line {t.line})")
            self._skip_statement()
        if guarded and name in self.state.variables:
            return
        self.state.variables[name] = value
        self.state.variable_lines[name] = t.line

    def _skip_statement(self) -> None:
        while self.i < len(self.toks) and self.toks[self.i].kind != "end":
            self.i += 1

    def _include(self) -> None:
        self.i += 1
        start = self.i
        try:
            target = self.expr()
        except _Syntax:
            self.i = start
            self._skip_statement()
            return
        if not isinstance(target, str):
            return
        path = Path(target)
        if not path.is_absolute():
            path = self.path.parent / path  # PHP tries the include_path first; close enough
        if path.name in _CORE_FILES or not path.is_file():
            return
        self._read_other(path)

    def _eval_call(self) -> None:
        # The Docker image runs WORDPRESS_CONFIG_EXTRA through eval(); its defines count.
        self.i += 2
        start = self.i
        try:
            code = self.expr()
            self._accept(")")
        except _Syntax:
            self.i = start
            self._skip_balanced()
            return
        if isinstance(code, str) and code.strip():
            st = self.state
            if st.depth >= _MAX_INCLUDE_DEPTH:
                return
            toks = _Lexer(code, f"{self.path} (eval'd code)", php_mode=True).run()
            st.depth += 1
            try:
                _Evaluator(toks, st, self.path, f"{self.label} (eval'd code)").run()
            finally:
                st.depth -= 1

    def _read_other(self, path: Path) -> None:
        st = self.state
        resolved = path.resolve()
        if resolved in st.included or st.depth >= _MAX_INCLUDE_DEPTH:
            return
        st.included.append(resolved)
        try:
            if path.stat().st_size > _MAX_INCLUDE_BYTES:
                return
            text = _read_text(path)
            toks = _Lexer(text, str(path)).run()
        except (ConfigError, OSError):
            # Includes are best effort (an autoloader, a file we cannot lex): a
            # setting they would have given is reported missing when needed.
            return
        st.depth += 1
        try:
            _Evaluator(toks, st, path).run()
        except ConfigError:
            return
        finally:
            st.depth -= 1

    # -- expressions

    def _accept(self, op: str) -> bool:
        t = self.toks[self.i]
        if t.kind == "op" and t.value == op:
            self.i += 1
            return True
        return False

    def _next(self) -> Tok:
        t = self.toks[self.i]
        if t.kind == "end":
            raise _Syntax("unexpected end of statement")
        self.i += 1
        return t

    def expr(self, min_prec: int = 0) -> Value:
        left = self.unary()
        while True:
            t = self.toks[self.i]
            op = t.value.lower() if t.kind == "id" and isinstance(t.value, str) else t.value
            if t.kind == "op" and op in ("?", "?:") and min_prec <= _TERNARY_PREC:
                self.i += 1
                if op == "?:" or self._accept(":"):
                    right = self.expr(_TERNARY_PREC + 1)
                    left = _elvis(left, right)
                    continue
                then = self.expr(_TERNARY_PREC + 1)
                if not self._accept(":"):
                    raise _Syntax("expected ':' in a ternary")
                other = self.expr(_TERNARY_PREC + 1)
                left = _ternary(left, then, other)
                continue
            if (t.kind == "op" or t.kind == "id") and isinstance(op, str) and op in _BINARY_PREC:
                prec = _BINARY_PREC[op]
                if prec < min_prec:
                    return left
                self.i += 1
                # ?? is right-associative; the rest are left-associative.
                right = self.expr(prec if op == "??" else prec + 1)
                left = _binary(op, left, right)
                continue
            return left

    def unary(self) -> Value:
        t = self.toks[self.i]
        if t.kind == "op" and t.value == "!":
            self.i += 1
            v = self.unary()
            return v if isinstance(v, Unknown) else not php_truthy(v)
        if t.kind == "op" and t.value in ("-", "+"):
            self.i += 1
            v = self.unary()
            if isinstance(v, int | float) and not isinstance(v, bool):
                return -v if t.value == "-" else v
            return Unknown("arithmetic on a non-number")
        if t.kind == "op" and t.value == "@":
            self.i += 1
            return self.unary()
        if (
            t.kind == "op"
            and isinstance(t.value, str)
            and t.value.startswith("(")
            and len(t.value) > 1
        ):
            self.i += 1
            return _cast(t.value[1:-1], self.unary())
        return self.primary()

    def primary(self) -> Value:
        t = self._next()
        if t.kind == "str":
            if t.dynamic:
                return Unknown('a "..." string with a $variable in it')
            return t.value
        if t.kind == "num":
            return t.value
        if t.kind == "op" and t.value == "(":
            v = self.expr()
            if not self._accept(")"):
                raise _Syntax("expected ')'")
            return v
        if t.kind == "var":
            return self._variable(str(t.value))
        if t.kind == "id" and isinstance(t.value, str):
            name = t.value.lstrip("\\")
            if self._accept("("):
                return self._call(name)
            if self._accept("::"):
                self._next()
                return Unknown(f"class constant {name}::...")
            return self._constant(name)
        raise _Syntax(f"unexpected {t.value!r}")

    def _args(self) -> list[Value]:
        args: list[Value] = []
        if self._accept(")"):
            return args
        while True:
            args.append(self.expr())
            if self._accept(")"):
                return args
            if not self._accept(","):
                raise _Syntax("expected ',' or ')' in a function call")

    def _variable(self, name: str) -> Value:
        if self._accept("["):
            key = self.expr()
            if not self._accept("]"):
                raise _Syntax("expected ']'")
            if name in ("_ENV", "_SERVER") and isinstance(key, str):
                # Unset keys are null in PHP (with a warning), so ?? and ?: work.
                return self.state.env.get(key)
            if name == "GLOBALS" and isinstance(key, str):
                return self.state.variables.get(key, Unknown(f"$GLOBALS[{key!r}]"))
            return Unknown(f"${name}[...]")
        if name in self.state.variables:
            return self.state.variables[name]
        return Unknown(f"${name} is not set in the file")

    def _constant(self, name: str) -> Value:
        low = name.lower()
        if low == "true":
            return True
        if low == "false":
            return False
        if low == "null":
            return None
        if name == "__DIR__":
            return str(self.path.parent)
        if name == "__FILE__":
            return str(self.path)
        if name == "__LINE__":
            return self.toks[self.i - 1].line
        if name == "DIRECTORY_SEPARATOR":
            return "/"
        if name in self.state.constants:
            return self.state.constants[name]
        return Unknown(f"constant {name} is not defined")

    def _call(self, name: str) -> Value:
        args = self._args()
        low = name.lower()
        env = self.state.env
        if any(isinstance(a, Unknown) for a in args) and low not in ("defined",):
            first = next(a for a in args if isinstance(a, Unknown))
            return first
        if low == "getenv" and len(args) >= 1 and isinstance(args[0], str):
            return env.get(args[0], False)
        if low == "getenv_docker" and len(args) == 2 and isinstance(args[0], str):
            return _getenv_docker(env, args[0], args[1])
        if low == "defined" and len(args) == 1 and isinstance(args[0], str):
            return args[0] in self.state.constants
        if low == "constant" and len(args) == 1 and isinstance(args[0], str):
            return self._constant(args[0])
        if low == "dirname" and args and isinstance(args[0], str):
            levels = args[1] if len(args) > 1 and isinstance(args[1], int) else 1
            p = args[0]
            for _ in range(max(1, levels)):
                p = os.path.dirname(p.rstrip("/")) or ("/" if p.startswith("/") else ".")
            return p
        if low in ("trim", "rtrim", "ltrim", "chop") and args and isinstance(args[0], str):
            chars = args[1] if len(args) > 1 and isinstance(args[1], str) else " \t\n\r\0\x0b"
            s = args[0]
            if low == "trim":
                return s.strip(chars)
            return s.lstrip(chars) if low == "ltrim" else s.rstrip(chars)
        if low in ("strtolower", "strtoupper") and len(args) == 1:
            s = php_string(_known(args[0]))
            return s.lower() if low == "strtolower" else s.upper()
        if low in ("realpath",) and len(args) == 1 and isinstance(args[0], str):
            return os.path.realpath(args[0]) if os.path.exists(args[0]) else False
        if low in ("file_exists", "is_file", "is_dir", "is_readable") and len(args) == 1:
            p = php_string(_known(args[0]))
            check = {"is_file": os.path.isfile, "is_dir": os.path.isdir}.get(low, os.path.exists)
            return check(p)
        return Unknown(f"{name}() is not something pingdesk can evaluate without PHP")


def _known(v: Value) -> PHPValue:
    assert not isinstance(v, Unknown)
    return v


def _getenv_docker(env: Mapping[str, str], name: str, default: Value) -> Value:
    # Mirrors the helper in the official image's wp-config-docker.php:
    # NAME_FILE (a Docker secret) first, then NAME, then the default.
    file_env = env.get(name + "_FILE")
    if file_env:
        try:
            return Path(file_env).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            return Unknown(f"cannot read {name}_FILE={file_env}: {exc.strerror or exc}")
    if name in env:
        return env[name]
    return default


def _elvis(left: Value, right: Value) -> Value:
    if isinstance(left, Unknown):
        return left
    return left if php_truthy(left) else right


def _ternary(cond: Value, then: Value, other: Value) -> Value:
    if isinstance(cond, Unknown):
        return cond
    return then if php_truthy(cond) else other


def _binary(op: str, a: Value, b: Value) -> Value:
    if op == "??":
        if isinstance(a, Unknown):
            return a
        return b if a is None else a
    if isinstance(a, Unknown):
        return a
    if isinstance(b, Unknown):
        return b
    if op == ".":
        return php_string(a) + php_string(b)
    if op in ("||", "or"):
        return php_truthy(a) or php_truthy(b)
    if op in ("&&", "and"):
        return php_truthy(a) and php_truthy(b)
    if op == "===":
        return type(a) is type(b) and a == b
    if op == "!==":
        return not (type(a) is type(b) and a == b)
    if op in ("==", "!=", "<>"):
        same = (
            php_string(a) == php_string(b) if isinstance(a, str) or isinstance(b, str) else a == b
        )
        return same if op == "==" else not same
    if isinstance(a, int | float) and isinstance(b, int | float):
        try:
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if op == "/":
                return a / b
            if op == "%":
                return int(a) % int(b)
            if op == "<":
                return a < b
            if op == ">":
                return a > b
            if op == "<=":
                return a <= b
            if op == ">=":
                return a >= b
        except ZeroDivisionError:
            return Unknown("division by zero")
    return Unknown(f"operator {op} on these values")


def _cast(kind: str, v: Value) -> Value:
    if isinstance(v, Unknown):
        return v
    if kind in ("int", "integer"):
        if isinstance(v, str):
            m = re.match(r"\s*[+-]?\d+", v)
            return int(m.group()) if m else 0
        return int(v or 0)
    if kind in ("bool", "boolean"):
        return php_truthy(v)
    if kind in ("float", "double", "real"):
        try:
            return float(v) if v is not None else 0.0
        except ValueError:
            return 0.0
    return php_string(v)


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class DbHost:
    """DB_HOST split the way wpdb::parse_db_host() does.

    ``host`` is '' when only a socket was given; a host of 'localhost' (or none)
    means the default Unix socket to MySQL clients, as it does to mysqli.
    """

    host: str
    port: int | None
    socket: str | None
    is_ipv6: bool = False

    @property
    def uses_socket(self) -> bool:
        return self.socket is not None or self.host in ("", "localhost")


def parse_db_host(value: str) -> DbHost:
    """Split ``host``, ``host:port``, ``host:/socket``, ``[::1]:port`` like WordPress."""
    host, socket = value.strip(), None
    socket_pos = host.find(":/")
    if socket_pos >= 0:
        socket = host[socket_pos + 1 :]
        host = host[:socket_pos]
    is_ipv6 = host.count(":") > 1
    if is_ipv6:
        m = re.match(r"^\[?(?P<host>[0-9a-fA-F:]+)(?:\]:(?P<port>\d+))?", host)
    else:
        m = re.match(r"^(?P<host>[^:/]*)(?::(?P<port>\d+))?", host)
    if m is None:
        raise ConfigError(f"cannot parse DB_HOST {value!r}")
    port = int(m.group("port")) if m.group("port") and int(m.group("port")) else None
    return DbHost(m.group("host") or "", port, socket or None, is_ipv6)


@dataclass
class WPConfig:
    """The settings read from one wp-config.php (and the files it includes)."""

    path: Path
    constants: dict[str, Value]
    lines: dict[str, int]
    table_prefix: str | None
    table_prefix_line: int | None = None
    included: list[Path] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def where(self, name: str) -> str:
        src = self.sources.get(name, str(self.path))
        line = self.lines.get(name)
        return f"{src}:{line}" if line else str(src)

    def get(self, name: str) -> PHPValue:
        """A constant's value, or None if it is not defined. Unreadable ones raise."""
        v = self.constants.get(name)
        if isinstance(v, Unknown):
            raise ConfigError(
                f"{self.where(name)}: {name} cannot be read without running PHP: {v.reason}"
            )
        return v

    def get_str(self, name: str) -> str | None:
        v = self.get(name)
        return None if v is None else php_string(v)

    def require(self, name: str) -> str:
        if name not in self.constants:
            raise ConfigError(f"{self.path}: {name} is not defined")
        return php_string(self.get(name))

    def flag(self, name: str) -> bool:
        return name in self.constants and php_truthy(self.get(name))

    def get_int(self, name: str) -> int | None:
        v = self.get(name)
        if v is None or isinstance(v, bool):
            return None
        try:
            return int(v)
        except ValueError:
            raise ConfigError(f"{self.where(name)}: {name} must be a number, not {v!r}") from None

    # -- database settings

    @property
    def db_engine(self) -> str:
        """'sqlite' when the SQLite integration is switched on, else 'mysql'."""
        engine = (self.get_str("DB_ENGINE") or "").strip().lower()
        if not engine and "DB_ENGINE" not in self.constants:
            # The integration's constants.php: an installed drop-in means SQLite
            # (Playground relies on that alone), then the older DATABASE_ENGINE.
            if self._has_sqlite_dropin():
                return "sqlite"
            engine = (self.get_str("DATABASE_ENGINE") or "").strip().lower()
        return "sqlite" if engine == "sqlite" else "mysql"

    @property
    def is_sqlite(self) -> bool:
        return self.db_engine == "sqlite"

    @property
    def db_name(self) -> str:
        return self.require("DB_NAME")

    @property
    def db_user(self) -> str:
        return self.require("DB_USER")

    @property
    def db_password(self) -> str:
        return self.require("DB_PASSWORD")

    @property
    def db_host(self) -> str:
        return self.require("DB_HOST")

    @property
    def db_host_parts(self) -> DbHost:
        value = self.db_host
        try:
            return parse_db_host(value)
        except ConfigError as exc:
            raise ConfigError(f"{self.where('DB_HOST')}: {exc}") from None

    @property
    def db_charset(self) -> str | None:
        return self.get_str("DB_CHARSET")

    @property
    def content_dir(self) -> Path:
        content = self.get_str("WP_CONTENT_DIR")
        if content:
            return self._resolve(content)
        abspath = self.get_str("ABSPATH")
        if abspath and (Path(abspath) / "wp-settings.php").exists():
            return Path(abspath) / "wp-content"
        return self.path.parent / "wp-content"

    @property
    def sqlite_path(self) -> Path:
        """Where the SQLite integration keeps the database (its constants.php logic)."""
        fqdb = self.get_str("FQDB")
        if fqdb:
            return self._resolve(fqdb)
        fqdbdir = self.get_str("FQDBDIR")
        db_dir = self.get_str("DB_DIR")
        if fqdbdir:
            folder = self._resolve(fqdbdir)
        elif db_dir:
            folder = self._resolve(db_dir)
        else:
            folder = self.content_dir / "database"
        return folder / (self.get_str("DB_FILE") or SQLITE_DEFAULT_FILE)

    def _resolve(self, p: str) -> Path:
        path = Path(p)
        return path if path.is_absolute() else self.path.parent / path

    def _has_sqlite_dropin(self) -> bool:
        try:
            head = (self.content_dir / "db.php").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
        low = head[:50_000].lower()
        return "sqlite_db_dropin_version" in low or ("sqlite" in low and "pdo" in low)

    # -- multisite and Akismet

    @property
    def multisite(self) -> bool:
        return self.flag("MULTISITE")

    @property
    def subdomain_install(self) -> bool:
        return self.flag("SUBDOMAIN_INSTALL") or self.flag("VHOST")

    @property
    def domain_current_site(self) -> str | None:
        return self.get_str("DOMAIN_CURRENT_SITE")

    @property
    def path_current_site(self) -> str | None:
        return self.get_str("PATH_CURRENT_SITE")

    @property
    def blog_id_current_site(self) -> int | None:
        return self.get_int("BLOG_ID_CURRENT_SITE")

    @property
    def site_id_current_site(self) -> int | None:
        return self.get_int("SITE_ID_CURRENT_SITE")

    @property
    def wpcom_api_key(self) -> str | None:
        return self.get_str("WPCOM_API_KEY") or None

    @property
    def prefix(self) -> str | None:
        """$table_prefix, or None if the file does not set it."""
        return self.table_prefix


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ConfigError(f"{path}: cannot read: is a directory, not a file") from None
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except PermissionError:
        raise ConfigError(f"{path}: cannot read: permission denied") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if b"\0" in data[:8192]:
        raise ConfigError(f"{path}: not a PHP file (binary data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # PHP strings are bytes; a Latin-1 file still gives the right characters.
        return data.decode("latin-1")


def parse_wp_config_text(
    text: str, path: Path, *, env: Mapping[str, str] | None = None
) -> WPConfig:
    """Read settings from PHP source; ``path`` gives __DIR__ and messages."""
    state = _State(path=path, env=os.environ if env is None else env)
    lexer = _Lexer(text, str(path))
    toks = lexer.run()
    if not lexer.saw_php_tag:
        raise ConfigError(f"{path}: not a PHP file (no <?php tag)")
    state.included.append(path.resolve())
    _Evaluator(toks, state, path).run()
    prefix_v = state.variables.get("table_prefix")
    prefix_line = state.variable_lines.get("table_prefix")
    if isinstance(prefix_v, Unknown):
        raise ConfigError(
            f"{path}:{prefix_line}: $table_prefix cannot be read without running PHP: "
            f"{prefix_v.reason}"
        )
    prefix = None if prefix_v is None else php_string(prefix_v)
    return WPConfig(
        path=path,
        constants=state.constants,
        lines=state.lines,
        table_prefix=prefix,
        table_prefix_line=prefix_line,
        included=state.included[1:],
        sources=state.sources,
    )


def parse_wp_config(
    path: str | os.PathLike[str], *, env: Mapping[str, str] | None = None
) -> WPConfig:
    """Read a wp-config.php; raises ConfigError with one line on any problem.

    Only the file's shape is checked here; properties such as ``db_name`` raise
    when the setting they need is missing, so a SQLite site needs no DB_NAME.
    """
    p = Path(path).expanduser()
    if not p.is_absolute():
        p = Path.cwd() / p
    text = _read_text(p)
    if not text.strip():
        raise ConfigError(f"{p}: the file is empty")
    return parse_wp_config_text(text, p, env=env)


# --------------------------------------------------------------------------- finding


_SUBDIR_RE = re.compile(
    r"""(?:require|include)(?:_once)?\s*\(?\s*(?:__DIR__|dirname\s*\(\s*__FILE__\s*\))\s*\.\s*
        (['"])(?P<sub>[^'"]*?)/wp-blog-header\.php\1""",
    re.VERBOSE,
)


def _config_for_root(root: Path) -> Path | None:
    """wp-load.php's rule: the root's wp-config.php, else the parent's if that is no root."""
    here = root / "wp-config.php"
    if here.is_file():
        return here
    above = root.parent / "wp-config.php"
    if above.is_file() and not (root.parent / "wp-settings.php").exists():
        return above
    return None


def _is_wp_root(d: Path) -> bool:
    return (d / "wp-load.php").is_file() or (d / "wp-settings.php").is_file()


def _subdir_root(d: Path) -> Path | None:
    """WordPress in its own folder: index.php requires '<sub>/wp-blog-header.php'."""
    index = d / "index.php"
    try:
        if not index.is_file() or index.stat().st_size > 100_000:
            return None
        m = _SUBDIR_RE.search(index.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    if not m:
        return None
    sub = (d / m.group("sub").lstrip("/")).resolve()
    return sub if sub != d and _is_wp_root(sub) else None


def find_wp_config(start: Path) -> Path | None:
    """Find the wp-config.php for the WordPress containing ``start``, as WP-CLI does.

    Walks up from ``start``; the first WordPress root met decides (its own
    wp-config.php or the one above it), so a site nested in another site's
    folder never picks up the outer site's settings.
    """
    d = Path(start).expanduser().absolute()
    if d.is_file():
        d = d.parent
    for folder in (d, *d.parents):
        try:
            if _is_wp_root(folder):
                return _config_for_root(folder)
            sub = _subdir_root(folder)
            if sub is not None:
                return _config_for_root(sub)
            candidate = folder / "wp-config.php"
            if candidate.is_file():
                return candidate
        except OSError:
            return None
    return None
