"""Does a fetched page link to the post? Parsed with a real HTML parser (selectolax/lexbor).

Compared with WordPress's own pingback check (a substring search on the raw
HTML for the exact target string), this one:

* decodes the page's charset (BOM, Content-Type header, <meta>, then UTF-8 with
  a windows-1252 fallback) before parsing;
* reads href attributes as a browser does (entities decoded, whitespace
  dropped), resolves relative links against the page URL and <base href>;
* compares *normalised* URLs: scheme, ``www.``, default port, trailing slash,
  fragment, percent-encoding case and tracking parameters (utm_* and friends)
  do not matter; every URL WordPress routes to the post counts;
* tells "linked" from "mentioned" (the URL only appears as text) and "no-link".

The excerpt is cut the way pingback_ping() cuts it: the paragraph (text between
block-level tags) around the link, about 100 characters either side. Everything
returned is plain text with control characters removed.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

EXCERPT_SIDE = 100  # characters either side of the link, as in pingback_ping()
LINK_TEXT_MAX = 100  # pingback_ping() cuts longer link text and adds an ellipsis
TITLE_MAX = 300

# Query parameters that say where a click came from, not what it points at.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "_ga", "_gl",
        "_hsenc", "_hsmi", "hsctatracking", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "vero_id", "vero_conv", "wickedid", "rb_clickid", "s_cid", "ncid", "cmpid",
        "ref", "ref_src", "ref_url", "source", "spm", "share", "amp", "__s", "si",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "hmb_", "stm_")

# pingback_ping() turns these tags into paragraph breaks before it looks for the link.
BLOCK_TAGS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "p", "th", "td", "li", "dt", "dd", "pre", "caption",
     "input", "textarea", "button", "body"}
)  # fmt: skip
_DROP_TAGS = ["script", "style", "template"]

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACE_RE = re.compile(r"\s+")
_TAB_NL_RE = re.compile(r"[\t\n\r]")
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE
)
_PRESCAN_BYTES = 4096
_MENTION_PREFIX_MAX = len("https://www.")

# WHATWG: these labels all mean windows-1252 in a browser.
_CODEC_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-user-defined": "cp1252",
    "unicode": "utf-16le",
    "utf-16": "utf-16le",
}


def clean_text(text: str, limit: int | None = None) -> str:
    """Plain one-line text: controls and bidi overrides removed, whitespace collapsed."""
    text = _SPACE_RE.sub(" ", _CONTROL_RE.sub("", text)).strip()
    if limit is not None and len(text) > limit:
        text = text[:limit].rstrip() + "…"
    return text


def _collapse_spaces(text: str) -> str:
    """``_SPACE_RE.sub(" ", text)``, several times faster on long texts: str.split()
    splits on exactly the characters \\s matches in a str pattern (str.isspace)."""
    words = text.split()
    if not words:
        return " " if text else ""
    out = " ".join(words)
    if text[0].isspace():
        out = " " + out
    if text[-1].isspace():
        out += " "
    return out


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _CODEC_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(body: bytes, header_charset: str | None = None) -> str:
    """Decode a page as a browser would (simplified WHATWG encoding sniffing)."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    codec = _codec(header_charset)
    if codec is None:
        match = _META_CHARSET_RE.search(body[:_PRESCAN_BYTES])
        if match:
            codec = _codec(match.group(1).decode("ascii", "replace"))
            # A page that says utf-16 in a <meta> was necessarily read as ASCII-compatible.
            if codec and codec.startswith("utf-16"):
                codec = "utf-8"
    if codec is not None:
        return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def _norm_host(host: str) -> str:
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # not IDNA-encodable: compare as written
        return host


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k in TRACKING_PARAMS or k.startswith(TRACKING_PREFIXES)


def _key_host(url: str) -> str | None:
    """The host part of ``normalize_url(url)`` (without the port), or None."""
    url = _TAB_NL_RE.sub("", url).strip(" \x00\x0c")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port, as in normalize_url
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return _norm_host(parts.hostname)


# re.IGNORECASE lets these match ASCII letters; they are the only non-ASCII ones that do.
_CASE_SPECIALS = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"), ("\u212a", "k"))


def _fold_ascii(text: str) -> bytes:
    """Lower-case ASCII view of ``text`` for pre-filters: every match of an ASCII
    needle that ``re.IGNORECASE`` can find in ``text`` is a plain substring of this.

    Non-ASCII characters are dropped (which can only join neighbours, never
    separate them: a filter may say "maybe" more often, never "no" wrongly);
    the four non-ASCII letters IGNORECASE equates with ASCII ones are mapped first.
    """
    if not text.isascii():
        for special, ascii_letter in _CASE_SPECIALS:
            if special in text:
                text = text.replace(special, ascii_letter)
    return text.encode("ascii", "ignore").lower()


def normalize_url(url: str, base: str | None = None) -> str | None:
    """A comparison key for ``url`` (absolute, or relative to ``base``); None if not http(s).

    Scheme, ``www.``, default ports, trailing slash, fragment, percent-encoding
    and tracking parameters are dropped; the remaining query parameters are sorted.
    """
    url = _TAB_NL_RE.sub("", url).strip(" \x00\x0c")
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = _norm_host(parts.hostname)
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    # Paths compare percent-decoded: %C3%A9, %c3%a9 and é are the same slug.
    path = unquote(parts.path)
    path = re.sub(r"/+$", "", path)
    if path.endswith("/index.php"):
        path = path[: -len("/index.php")]
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    key = host + path
    if query:
        key += "?" + urlencode(sorted(query))
    return key


class TargetSet:
    """The URLs of one post, ready for matching links (keys) and text (a regex)."""

    def __init__(self, urls: Iterable[str]) -> None:
        self.urls = sorted({u for u in urls if u})
        self.keys = frozenset(k for k in (normalize_url(u) for u in self.urls) if k)
        # The hosts of the keys (no port): an absolute link can only match if its
        # host is one of these, and its host is written inside the href.
        self.hosts = tuple(
            sorted({h for u in self.urls if normalize_url(u) and (h := _key_host(u))})
        )

    def matches(self, href: str, base: str | None = None) -> bool:
        key = normalize_url(href, base)
        return key is not None and key in self.keys

    def may_link(self, href: str, base_host: str | None) -> bool:
        """False only if ``href`` (resolved against a base whose normalised host is
        ``base_host``) certainly does not normalise to one of the keys.

        A relative href takes the base's host, so any may match when that host is a
        target's. Otherwise the key's host comes from the href itself, and for an
        ASCII href it is a lower-cased substring of it (idna leaves ASCII alone,
        tabs and newlines are dropped, as in normalize_url). Non-ASCII hrefs
        (IDNA, compatibility characters) always get the full normalisation.
        """
        if base_host is None or base_host in self.hosts or not href.isascii():
            return True
        low = href.lower()
        if "\t" in low or "\n" in low or "\r" in low:
            low = _TAB_NL_RE.sub("", low)
        return any(h in low for h in self.hosts)

    def may_mention(self, text: str) -> bool:
        """False only if :attr:`text_pattern` certainly finds nothing in ``text``:
        every match contains one of the targets' host[:port] (case-insensitively)."""
        needles = self._mention_needles
        if needles is None:
            return True
        folded = _fold_ascii(text)
        return any(n in folded for n in needles)

    @cached_property
    def _text_parts(self) -> tuple[list[str], set[str]]:
        """The pattern's alternatives, and the host[:port] every one of them starts with."""
        alternatives: list[str] = []
        hostports: set[str] = set()
        for url in self.urls:
            try:
                parts = urlsplit(url)
                port = parts.port
            except ValueError:
                continue
            if not parts.hostname:
                continue
            host = parts.hostname.lower()
            host = host[4:] if host.startswith("www.") else host
            hostport = host + (f":{port}" if port not in (None, 80, 443) else "")
            hostports.add(hostport)
            path = parts.path.rstrip("/")
            for p in dict.fromkeys([path, unquote(path)]):
                alt = re.escape(hostport) + re.escape(p)
                if parts.query:
                    alt += r"/?\?" + re.escape(parts.query)
                alternatives.append(alt)
        return alternatives, hostports

    @cached_property
    def _mention_needles(self) -> tuple[bytes, ...] | None:
        """What every match of :attr:`text_pattern` contains, as :func:`_fold_ascii`
        leaves it (None if a host is not ASCII: then there is no pre-filter)."""
        hostports = self._text_parts[1]
        if not all(h.isascii() for h in hostports):
            return None
        return tuple(sorted(h.encode("ascii") for h in hostports))

    @cached_property
    def _host_finder(self) -> re.Pattern[str] | None:
        """Every (even overlapping) occurrence of a host[:port], with the pattern's flags."""
        hostports = self._text_parts[1]
        if not hostports:
            return None
        body = "|".join(re.escape(h) for h in sorted(hostports))
        return re.compile(f"(?=(?:{body}))", re.IGNORECASE)

    def find_mention(self, text: str) -> re.Match[str] | None:
        """``text_pattern.search(text)``, without running the pattern at every position.

        Every match starts with at most ``https://www.`` (12 characters) and then a
        target's host[:port]; so the leftmost match starts within 12 characters
        before some occurrence of a host, and trying the pattern anchored at those
        positions, left to right, finds the very match search() would.
        """
        pattern = self.text_pattern
        finder = self._host_finder
        if pattern is None or finder is None:
            return None
        tried = -1
        for hit in finder.finditer(text):
            at = hit.start()
            for start in range(max(tried + 1, at - _MENTION_PREFIX_MAX), at + 1):
                match = pattern.match(text, start)
                if match is not None:
                    return match
            tried = at
        return None

    @cached_property
    def text_pattern(self) -> re.Pattern[str] | None:
        """Finds a target written out as text (with or without scheme and www.).

        Compiled on first use (a few milliseconds): most pages never get this far.
        """
        alternatives = self._text_parts[0]
        if not alternatives:
            return None
        body = "|".join(sorted(set(alternatives), key=len, reverse=True))
        return re.compile(
            rf"(?<![\w.@-])(?:https?://)?(?:www\.)?(?:{body})/?(?![\w%/=&-])", re.IGNORECASE
        )


@dataclass(frozen=True)
class LinkCheck:
    result: str  # 'linked' | 'mentioned' | 'no-link'
    title: str = ""
    excerpt: str = ""
    matched: str | None = None  # the absolute href that matched


class ParsedPage:
    """A page parsed once; checked against the targets of every ping that cites it."""

    def __init__(self, html: str, page_url: str) -> None:
        self.page_url = page_url
        self._tree = LexborHTMLParser(html)
        # Scripts and styles are neither links nor readable text (WordPress drops them too).
        self._tree.strip_tags(_DROP_TAGS)
        self.base_url = self._base_url()

    @classmethod
    def from_bytes(
        cls, body: bytes, page_url: str, header_charset: str | None = None
    ) -> ParsedPage:
        return cls(decode_html(body, header_charset), page_url)

    def _base_url(self) -> str:
        base = self._tree.css_first("base[href]")
        if base is not None:
            href = base.attributes.get("href") or ""
            try:
                joined = urljoin(self.page_url, re.sub(r"[\t\n\r]", "", href).strip())
            except ValueError:
                return self.page_url
            if urlsplit(joined).scheme.lower() in ("http", "https"):
                return joined
        return self.page_url

    @cached_property
    def title(self) -> str:
        node = self._tree.css_first("title")
        return clean_text(node.text(), TITLE_MAX) if node is not None else ""

    @cached_property
    def _links(self) -> list[tuple[str, LexborNode]]:
        out: list[tuple[str, LexborNode]] = []
        for node in self._tree.css("a[href], area[href]"):
            href = node.attributes.get("href")
            if href:
                out.append((href, node))
        return out

    @cached_property
    def _raw_text(self) -> str:
        body = self._tree.body or self._tree.root
        return body.text(separator=" ") if body is not None else ""

    @cached_property
    def _text(self) -> str:
        return _collapse_spaces(self._raw_text)

    @cached_property
    def _base_host(self) -> str | None:
        """The normalised host a relative link here resolves to (None: unknown)."""
        try:
            host = urlsplit(self.base_url).hostname
        except ValueError:
            return None
        return _norm_host(host) if host else None

    def check(self, targets: TargetSet) -> LinkCheck:
        # Most pages carry dozens of links to elsewhere: those are told apart with a
        # substring test (~1 µs), and only links that may match are normalised
        # (urljoin + urlsplit + idna, ~20 µs each).
        base_host = self._base_host
        for href, node in self._links:
            if not targets.may_link(href, base_host):
                continue
            key = normalize_url(href, self.base_url)
            if key is not None and key in targets.keys:
                absolute = urljoin(self.base_url, re.sub(r"[\t\n\r]", "", href).strip())
                return LinkCheck(
                    "linked", self.title, _link_excerpt(node), clean_text(absolute, 2000)
                )
        # (The pre-filter reads the text before whitespace is collapsed: the needles
        # hold no whitespace, so collapsing cannot create an occurrence.)
        pattern = targets.text_pattern if targets.may_mention(self._raw_text) else None
        if pattern is not None:
            match = targets.find_mention(self._text)
            if match:
                excerpt = _cut(
                    self._text[: match.start()], match.group(0), self._text[match.end() :]
                )
                return LinkCheck("mentioned", self.title, excerpt, clean_text(match.group(0), 2000))
        return LinkCheck("no-link", self.title)


def _block_of(node: LexborNode, stop: LexborNode | None = None) -> LexborNode | None:
    """Nearest ancestor (or self) that pingback_ping() treats as a paragraph boundary."""
    cur: LexborNode | None = node
    while cur is not None:
        if cur.tag in BLOCK_TAGS:
            return cur
        if stop is not None and cur.mem_id == stop.mem_id:
            return cur
        cur = cur.parent
    return None


def _inside(node: LexborNode, ancestor: LexborNode, stop: LexborNode) -> bool:
    cur: LexborNode | None = node
    while cur is not None:
        if cur.mem_id == ancestor.mem_id:
            return True
        if cur.mem_id == stop.mem_id:
            return False
        cur = cur.parent
    return False


_WP_SPACES_RE = re.compile(r"[\r\n\t ]+")


def _node_text(node: LexborNode) -> str:
    # pingback_ping() collapses whitespace in the raw HTML, where tags separate runs:
    # so collapse within each text node, never across nodes ("a <i></i> b" keeps two).
    return _WP_SPACES_RE.sub(" ", _CONTROL_RE.sub("", node.text(deep=False)))


def _link_excerpt(anchor: LexborNode) -> str:
    """The text around ``anchor`` in its paragraph, cut as pingback_ping() cuts it."""
    block = anchor.parent and _block_of(anchor.parent)
    if block is None:
        block = anchor
    before: list[str] = []
    inside: list[str] = []
    after: list[str] = []
    seen_anchor = False
    block_id = block.mem_id
    for node in block.traverse(include_text=True):
        if not node.is_text_node:
            continue
        if _inside(node, anchor, block):
            seen_anchor = True
            inside.append(_node_text(node))
            continue
        parent = node.parent
        own_block = _block_of(parent, stop=block) if parent is not None else block
        in_same_paragraph = own_block is not None and own_block.mem_id == block_id
        if not seen_anchor:
            if in_same_paragraph:
                before.append(_node_text(node))
            else:
                before.clear()  # a nested block before the link starts a new paragraph
        else:
            if not in_same_paragraph:
                break  # and one after it ends the link's paragraph
            after.append(_node_text(node))
    link_text = "".join(inside)
    if len(link_text) > LINK_TEXT_MAX:
        link_text = link_text[:LINK_TEXT_MAX] + "…"
    return _cut("".join(before), link_text, "".join(after))


# pingback_ping(): preg_replace("|.*?\s(.{0,100}$marker.{0,100})\s.*|s", '$1', $excerpt).
# PCRE's \s without /u is ASCII whitespace only, hence the explicit class.
_WS = "[ \t\n\x0b\x0c\r]"
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"  # private-use: cannot occur after cleaning
_WP_EXCERPT_RE = re.compile(
    rf"^.*?{_WS}(.{{0,{EXCERPT_SIDE}}}{_MARK_OPEN}.*?{_MARK_CLOSE}.{{0,{EXCERPT_SIDE}}}){_WS}.*$",
    re.DOTALL,
)
_FALLBACK_MAX = 4 * EXCERPT_SIDE  # WordPress would keep a whole paragraph; we cap hostile ones
_STRIP_MARKS = str.maketrans("", "", _MARK_OPEN + _MARK_CLOSE)
_STRIPPED = " \t\n\r\0\x0b\x0c"  # what the paragraph's strip() and the pattern's _WS cover
_CUT_WINDOW = 1000  # characters of text either side of a link or mention, before cleaning


def _cut(before: str, middle: str, after: str) -> str:
    """The excerpt exactly as pingback_ping() cuts it around the link text.

    WordPress takes the paragraph, trims it, and keeps up to 100 characters
    either side of the link, starting after a whitespace and ending before one
    (so the paragraph's first and last words are dropped when they fit). If that
    pattern does not match (no whitespace before the link, say), it keeps the
    whole paragraph.
    """
    strip = _STRIP_MARKS

    def norm(text: str) -> str:
        # Whitespace was already collapsed per text node by the caller.
        return _CONTROL_RE.sub("", text.translate(strip)).replace("\n", " ")

    if len(before) > _CUT_WINDOW or len(after) > _CUT_WINDOW:
        # A mention's "paragraph" is the whole page text. The pattern only looks at
        # 101 characters either side of the marks: cut a window first, and fall back
        # to the whole text only when the pattern does not match there.
        # Whitespace at the window's ends is more than 101 characters from the marks
        # once the window is long enough: dropping it changes nothing.
        head = norm(before[-_CUT_WINDOW:]).lstrip(_STRIPPED)
        tail = norm(after[:_CUT_WINDOW]).rstrip(_STRIPPED)
        if len(head) > EXCERPT_SIDE + 1 and len(tail) > EXCERPT_SIDE + 1:
            match = _WP_EXCERPT_RE.match(head + _MARK_OPEN + norm(middle) + _MARK_CLOSE + tail)
            if match is not None:
                excerpt = match.group(1).translate(strip)
                if len(excerpt) > _FALLBACK_MAX:
                    excerpt = excerpt[:_FALLBACK_MAX].rstrip() + "…"
                return excerpt

    para = (norm(before) + _MARK_OPEN + norm(middle) + _MARK_CLOSE + norm(after)).strip(
        " \t\n\r\0\x0b"
    )
    match = _WP_EXCERPT_RE.match(para)
    excerpt = match.group(1) if match else para
    excerpt = excerpt.translate(strip)
    if len(excerpt) > _FALLBACK_MAX:
        excerpt = excerpt[:_FALLBACK_MAX].rstrip() + "…"
    return excerpt
