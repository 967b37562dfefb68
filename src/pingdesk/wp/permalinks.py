"""Post permalinks computed from the database exactly as WordPress 6.1 computes them.

Follows wp-includes/link-template.php (get_permalink, get_page_link,
_get_page_link, get_attachment_link, get_post_permalink, wp_get_shortlink),
class-wp-rewrite.php (init, get_page_permastruct) and post.php
(get_post_ancestors, get_page_uri, get_post_status) with no plugins and no
filters, for a visitor who is not logged in (so private posts get plain links,
as WordPress gives them to the public).

Custom post types are registered in PHP, not stored in the database; for them
we assume register_post_type()'s defaults (rewrite slug = the type's name, with
the structure's front). Their ``?post_type=x&p=ID`` link and the ``?p=ID``
shortlink are always among the target URLs, and WordPress routes both.

Everything is batched: a handful of queries for any number of posts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select

from pingdesk.wp.blog import Blog

_CHUNK = 500
_MAX_DEPTH = 64  # ancestor chains longer than this are corrupt data, not real pages
# Post types and statuses WordPress registers itself.
_BUILTIN_TYPES = frozenset(
    {
        "post", "page", "attachment", "revision", "nav_menu_item", "custom_css",
        "customize_changeset", "oembed_cache", "user_request", "wp_block", "wp_template",
        "wp_template_part", "wp_global_styles", "wp_navigation",
    }
)  # fmt: skip
_PRETTY_STATUSES = frozenset({"publish"})  # is_post_status_viewable() for built-in statuses
_REWRITE_TAGS = (
    "%year%",
    "%monthnum%",
    "%day%",
    "%hour%",
    "%minute%",
    "%second%",
    "%postname%",
    "%post_id%",
    "%category%",
    "%author%",
    "%pagename%",
)


@dataclass(frozen=True)
class PostRow:
    id: int
    post_type: str
    post_status: str
    post_name: str
    post_date: datetime | None
    post_parent: int
    post_author: int
    guid: str


@dataclass(frozen=True)
class Settings:
    """The options and derived WP_Rewrite properties permalinks depend on."""

    home: str
    structure: str
    show_on_front: str
    page_on_front: int
    default_category: int

    @property
    def using_permalinks(self) -> bool:
        return bool(self.structure)

    @property
    def trailing_slash(self) -> bool:
        return self.structure.endswith("/")

    @property
    def root(self) -> str:
        # WP_Rewrite::init(): index permalinks put 'index.php/' before page paths.
        return "index.php/" if re.match(r"^/*index\.php", self.structure) else ""

    @property
    def front(self) -> str:
        pos = self.structure.find("%")
        return self.structure[:pos] if pos >= 0 else self.structure

    def home_url(self, path: str = "") -> str:
        url = self.home.strip()
        if url.startswith("//"):
            url = "http:" + url
        if path:
            url += "/" + path.lstrip("/")
        return url

    def user_trailingslashit(self, text: str) -> str:
        return text.rstrip("/\\") + "/" if self.trailing_slash else text.rstrip("/\\")


def load_settings(blog: Blog) -> Settings:
    o = blog.options(
        ["home", "siteurl", "permalink_structure", "show_on_front", "page_on_front",
         "default_category"]
    )  # fmt: skip
    return Settings(
        home=(o["home"] or o["siteurl"] or "").strip(),
        structure=(o["permalink_structure"] or "").strip(),
        show_on_front=o["show_on_front"] or "posts",
        page_on_front=_int(o["page_on_front"]),
        default_category=_int(o["default_category"]) or 1,
    )


def _int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


class _Loader:
    """Fetches posts, ancestors, categories and authors in a few batched queries."""

    def __init__(self, blog: Blog) -> None:
        self.blog = blog
        self.posts: dict[int, PostRow] = {}
        self.missing: set[int] = set()

    def load_posts(self, ids: Iterable[int]) -> None:
        wanted = sorted({int(i) for i in ids} - self.posts.keys() - self.missing)
        if not wanted:
            return
        p = self.blog.tables.posts
        cols = [
            p.c.ID, p.c.post_type, p.c.post_status, p.c.post_name, p.c.post_date,
            p.c.post_parent, p.c.post_author, p.c.guid,
        ]  # fmt: skip
        with self.blog.engine.connect() as conn:
            for chunk in _chunks(wanted):
                for r in conn.execute(select(*cols).where(p.c.ID.in_(chunk))):
                    self.posts[int(r.ID)] = PostRow(
                        id=int(r.ID),
                        post_type=r.post_type or "post",
                        post_status=r.post_status or "",
                        post_name=r.post_name or "",
                        post_date=r.post_date,
                        post_parent=int(r.post_parent or 0),
                        post_author=int(r.post_author or 0),
                        guid=r.guid or "",
                    )
        self.missing.update(set(wanted) - self.posts.keys())

    def load_ancestors(self, ids: Iterable[int]) -> None:
        """Load parent chains level by level: one query per level of depth."""
        frontier = {self.posts[i].post_parent for i in ids if i in self.posts}
        for _ in range(_MAX_DEPTH):
            frontier = {i for i in frontier if i and i not in self.posts and i not in self.missing}
            if not frontier:
                return
            self.load_posts(frontier)
            frontier = {self.posts[i].post_parent for i in frontier if i in self.posts}

    def ancestors(self, post: PostRow) -> list[int]:
        """get_post_ancestors(): nearest first, stopping at loops."""
        out: list[int] = []
        if not post.post_parent or post.post_parent == post.id:
            return out
        cur = post.post_parent
        out.append(cur)
        while len(out) < _MAX_DEPTH:
            row = self.posts.get(cur)
            if row is None:
                break
            nxt = row.post_parent
            if not nxt or nxt == post.id or nxt in out:
                break
            out.append(nxt)
            cur = nxt
        return out

    def page_uri(self, post: PostRow) -> str:
        """get_page_uri(): parent slugs then the post's own."""
        uri = post.post_name
        for pid in self.ancestors(post):
            parent = self.posts.get(pid)
            if parent is not None and parent.post_name:
                uri = parent.post_name + "/" + uri
        return uri

    def categories(self, ids: list[int]) -> tuple[dict[int, list[int]], dict[int, tuple[str, int]]]:
        """Post -> its category term_ids; term_id -> (slug, parent) for all categories."""
        t = self.blog.tables
        tr, tt, terms = t.term_relationships, t.term_taxonomy, t.terms
        by_post: dict[int, list[int]] = {}
        cats: dict[int, tuple[str, int]] = {}
        with self.blog.engine.connect() as conn:
            for chunk in _chunks(ids):
                q = (
                    select(tr.c.object_id, tt.c.term_id)
                    .select_from(tr.join(tt, tr.c.term_taxonomy_id == tt.c.term_taxonomy_id))
                    .where(and_(tt.c.taxonomy == "category", tr.c.object_id.in_(chunk)))
                )
                for r in conn.execute(q):
                    by_post.setdefault(int(r.object_id), []).append(int(r.term_id))
            # The category tree is small; one query gives every slug and parent.
            q2 = (
                select(terms.c.term_id, terms.c.slug, tt.c.parent)
                .select_from(terms.join(tt, terms.c.term_id == tt.c.term_id))
                .where(tt.c.taxonomy == "category")
            )
            for t_row in conn.execute(q2):
                cats[int(t_row.term_id)] = (t_row.slug or "", int(t_row.parent or 0))
        return by_post, cats

    def nicenames(self, author_ids: Iterable[int]) -> dict[int, str]:
        u = self.blog.tables.users
        wanted = sorted({int(i) for i in author_ids})
        out: dict[int, str] = {}
        with self.blog.engine.connect() as conn:
            for chunk in _chunks(wanted):
                for r in conn.execute(select(u.c.ID, u.c.user_nicename).where(u.c.ID.in_(chunk))):
                    out[int(r.ID)] = r.user_nicename or ""
        return out


def _category_path(term_id: int, cats: dict[int, tuple[str, int]]) -> str:
    """The category's slug preceded by its ancestors' (get_category_parents with nicenames)."""
    slug, parent = cats.get(term_id, ("", 0))
    chain: list[int] = []
    while parent and parent not in chain and parent != term_id and len(chain) < _MAX_DEPTH:
        chain.append(parent)
        parent = cats.get(parent, ("", 0))[1]
    parts = [cats[c][0] for c in reversed(chain) if c in cats]
    return "/".join([*parts, slug]) if parts else slug


class _Computer:
    def __init__(self, blog: Blog, ids: Iterable[int]) -> None:
        self.settings = load_settings(blog)
        self.loader = _Loader(blog)
        self.ids = sorted({int(i) for i in ids})
        self.loader.load_posts(self.ids)
        found = [i for i in self.ids if i in self.loader.posts]
        # Attachments link through their parent; pages through their ancestors.
        self.loader.load_ancestors(found)
        everything = list(self.loader.posts)
        s = self.settings
        self.post_cats: dict[int, list[int]] = {}
        self.cats: dict[int, tuple[str, int]] = {}
        if "%category%" in s.structure:
            self.post_cats, self.cats = self.loader.categories(everything)
        self.authors: dict[int, str] = {}
        if "%author%" in s.structure:
            self.authors = self.loader.nicenames(p.post_author for p in self.loader.posts.values())

    # get_post_status() with the attachment 'inherit' rule.
    def status(self, post: PostRow, depth: int = 0) -> str:
        if post.post_type == "attachment":
            if post.post_status == "inherit":
                parent = self.loader.posts.get(post.post_parent)
                if not post.post_parent or parent is None or post.post_parent == post.id:
                    return "publish"
                if depth > _MAX_DEPTH:
                    return "publish"
                parent_status = self.status(parent, depth + 1)
                # A trashed parent's old status is in postmeta; WordPress also guesses publish.
                return "publish" if parent_status == "trash" else parent_status
            if post.post_status not in ("private", "trash", "auto-draft"):
                return "publish"
        return post.post_status

    def force_plain(self, post: PostRow) -> bool:
        return self.status(post) not in _PRETTY_STATUSES

    def permalink(self, post: PostRow, depth: int = 0) -> str:
        s = self.settings
        if post.post_type == "page":
            if s.show_on_front == "page" and s.page_on_front == post.id:
                return s.home_url("/")
            return self.page_link(post)
        if post.post_type == "attachment":
            return self.attachment_link(post, depth)
        if post.post_type not in _BUILTIN_TYPES:
            return self.custom_link(post)
        if s.structure and not self.force_plain(post):
            return s.user_trailingslashit(s.home_url(self.fill(post)))
        return s.home_url(f"?p={post.id}")

    def fill(self, post: PostRow) -> str:
        s = self.settings
        d = post.post_date
        date = (
            [f"{d.year:04d}", f"{d.month:02d}", f"{d.day:02d}", f"{d.hour:02d}",
             f"{d.minute:02d}", f"{d.second:02d}"]
            if d is not None else ["0000", "00", "00", "00", "00", "00"]
        )  # fmt: skip
        category = ""
        if "%category%" in s.structure:
            cats = sorted(self.post_cats.get(post.id, []))
            if cats:
                category = _category_path(cats[0], self.cats)
            if not category and s.default_category in self.cats:
                category = self.cats[s.default_category][0]
        author = self.authors.get(post.post_author, "") if "%author%" in s.structure else ""
        values = [*date, post.post_name, str(post.id), category, author, post.post_name]
        out = s.structure
        # str_replace() with arrays replaces each tag in turn over the whole string.
        for tag, value in zip(_REWRITE_TAGS, values, strict=True):
            out = out.replace(tag, value)
        return out

    def page_link(self, post: PostRow) -> str:
        """_get_page_link()."""
        s = self.settings
        if s.structure and not self.force_plain(post):
            link = s.home_url(
                s.root + "%pagename%".replace("%pagename%", self.loader.page_uri(post))
            )
            return s.user_trailingslashit(link)
        return s.home_url(f"?page_id={post.id}")

    def attachment_link(self, post: PostRow, depth: int) -> str:
        s = self.settings
        parent = self.loader.posts.get(post.post_parent) if post.post_parent else None
        parent_valid = not (
            post.post_parent
            and (post.post_parent == post.id or parent is None or not _viewable_type(parent))
        )
        link: str | None = None
        if self.force_plain(post) or not parent_valid:
            link = None
        elif s.using_permalinks and parent is not None:
            if depth > _MAX_DEPTH:
                parentlink = "?"
            elif parent.post_type == "page":
                parentlink = self.page_link(parent)  # ignores page_on_front
            else:
                parentlink = self.permalink(parent, depth + 1)
            if post.post_name.isdigit() or "%category%" in s.structure:
                name = "attachment/" + post.post_name
            else:
                name = post.post_name
            if "?" not in parentlink:
                link = s.user_trailingslashit(parentlink.rstrip("/\\") + "/" + name)
        elif s.using_permalinks:
            link = s.home_url(s.user_trailingslashit(post.post_name))
        return link or s.home_url(f"/?attachment_id={post.id}")

    def custom_link(self, post: PostRow) -> str:
        """get_post_permalink() for a type registered with the defaults (see module doc)."""
        s = self.settings
        if s.structure and not self.force_plain(post):
            # Hierarchical or not is not in the database; a parent says hierarchical.
            slug = self.loader.page_uri(post) if post.post_parent else post.post_name
            return s.home_url(s.user_trailingslashit(f"{s.front}{post.post_type}/{slug}"))
        return s.home_url(f"?post_type={post.post_type}&p={post.id}")

    def targets(self, post: PostRow) -> set[str]:
        s = self.settings
        out = {
            self.permalink(post),
            s.home_url(f"?p={post.id}"),  # the shortlink, and url_to_postid's p=
            s.home_url(f"?page_id={post.id}"),
            s.home_url(f"index.php?p={post.id}"),
        }
        if post.post_type == "attachment":
            out.add(s.home_url(f"?attachment_id={post.id}"))
        if post.post_type not in _BUILTIN_TYPES:
            out.add(s.home_url(f"?post_type={post.post_type}&p={post.id}"))
        if post.guid.startswith(("http://", "https://")):
            out.add(post.guid)
        return {u for u in out if u}


def _viewable_type(post: PostRow) -> bool:
    # is_post_type_viewable(): built-in public types; custom types assumed public.
    return post.post_type in ("post", "page", "attachment") or post.post_type not in _BUILTIN_TYPES


def permalinks(blog: Blog, post_ids: Iterable[int]) -> dict[int, str]:
    """get_permalink() for each existing post id (missing ids are left out)."""
    comp = _Computer(blog, post_ids)
    return {i: comp.permalink(comp.loader.posts[i]) for i in comp.ids if i in comp.loader.posts}


def permalink(blog: Blog, post_id: int) -> str | None:
    return permalinks(blog, [post_id]).get(int(post_id))


def target_urls_for(blog: Blog, post_ids: Iterable[int]) -> dict[int, set[str]]:
    """Every URL WordPress routes to each post: permalink, ?p=, ?page_id=, guid, shortlink."""
    comp = _Computer(blog, post_ids)
    return {i: comp.targets(comp.loader.posts[i]) for i in comp.ids if i in comp.loader.posts}


def target_urls(blog: Blog, post: int | Any) -> set[str]:
    """target_urls_for() for one post, given its id or anything with ``post_id``/``ID``/``id``."""
    if isinstance(post, int):
        post_id = post
    else:
        post_id = int(getattr(post, "post_id", None) or getattr(post, "ID", None) or post.id)
    return target_urls_for(blog, [post_id]).get(post_id, set())
