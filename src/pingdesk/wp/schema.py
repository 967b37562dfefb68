"""SQLAlchemy Core definitions of the WordPress tables pingdesk reads and writes.

The columns follow wp-admin/includes/schema.php (WordPress 6.x) so that
``create_all`` on SQLite gives the shape WordPress's SQLite integration stores.
Table names are ``{prefix}{name}``; the prefix is validated first because it
ends up in identifiers, where bound parameters cannot protect us.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from pingdesk.errors import ConfigError

PREFIX_RE = re.compile(r"^[A-Za-z0-9_]{1,64}$")
ZERO_DATE = "0000-00-00 00:00:00"


def validate_prefix(prefix: str) -> str:
    """Refuse anything but what WordPress itself allows in $table_prefix."""
    if not isinstance(prefix, str) or not PREFIX_RE.match(prefix):
        raise ConfigError(
            f"invalid table prefix {prefix!r}: only letters, digits and underscores are allowed"
        )
    return prefix


class WPDateTime(TypeDecorator[datetime | None]):
    """WordPress DATETIME: 'YYYY-MM-DD HH:MM:SS' text on SQLite, DATETIME on MySQL.

    The zero date WordPress uses for 'never' reads back as None and is written
    back as the zero date, so a round trip never changes a row.
    """

    impl = String(19)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME())
        return dialect.type_descriptor(String(19))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return ZERO_DATE
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        text = str(value)
        if not text or text.startswith("0000-00-00"):
            return None
        try:
            return datetime.fromisoformat(text[:19])
        except ValueError:
            return None


def _id() -> BigInteger:
    return BigInteger().with_variant(mysql.BIGINT(unsigned=True), "mysql", "mariadb")


def _pk(name: str) -> Column[int]:
    # SQLite only auto-increments an INTEGER PRIMARY KEY, so the variant matters.
    return Column(
        name, BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )


def _longtext() -> Text:
    return Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


_TABLE_NAMES = (
    "comments",
    "commentmeta",
    "posts",
    "postmeta",
    "options",
    "terms",
    "term_taxonomy",
    "term_relationships",
    "users",
    "blogs",
)


@dataclass
class Tables:
    """The tables of one WordPress site (a multisite sub-site has its own prefix)."""

    prefix: str
    base_prefix: str
    _metadata: MetaData = field(default_factory=MetaData, repr=False)

    def __post_init__(self) -> None:
        validate_prefix(self.prefix)
        validate_prefix(self.base_prefix)

    @property
    def metadata(self) -> MetaData:
        """Every table's definition (``create_all`` makes a whole blog)."""
        for name in _TABLE_NAMES:
            getattr(self, name)
        return self._metadata

    # Each table is defined when first used: a network of 10,000 sites reads a few
    # tables of each, and defining all ten costs ~7 ms per site in SQLAlchemy.

    @cached_property
    def comments(self) -> Table:
        md, p = self._metadata, self.prefix
        return Table(
            f"{p}comments",
            md,
            _pk("comment_ID"),
            Column("comment_post_ID", _id(), nullable=False, server_default="0"),
            Column("comment_author", Text, nullable=False),
            Column("comment_author_email", String(100), nullable=False, server_default=""),
            Column("comment_author_url", String(200), nullable=False, server_default=""),
            Column("comment_author_IP", String(100), nullable=False, server_default=""),
            Column("comment_date", WPDateTime, nullable=False, server_default=ZERO_DATE),
            Column("comment_date_gmt", WPDateTime, nullable=False, server_default=ZERO_DATE),
            Column("comment_content", Text, nullable=False),
            Column("comment_karma", Integer, nullable=False, server_default="0"),
            Column("comment_approved", String(20), nullable=False, server_default="1"),
            Column("comment_agent", String(255), nullable=False, server_default=""),
            Column("comment_type", String(20), nullable=False, server_default="comment"),
            Column("comment_parent", _id(), nullable=False, server_default="0"),
            Column("user_id", _id(), nullable=False, server_default="0"),
            Index(f"{p}comments_post_ID", "comment_post_ID"),
            Index(f"{p}comments_approved_date_gmt", "comment_approved", "comment_date_gmt"),
            Index(f"{p}comments_date_gmt", "comment_date_gmt"),
            Index(f"{p}comments_parent", "comment_parent"),
        )

    @cached_property
    def commentmeta(self) -> Table:
        md, p = self._metadata, self.prefix
        return Table(
            f"{p}commentmeta",
            md,
            _pk("meta_id"),
            Column("comment_id", _id(), nullable=False, server_default="0"),
            Column("meta_key", String(255), nullable=True),
            Column("meta_value", _longtext(), nullable=True),
            Index(f"{p}commentmeta_comment_id", "comment_id"),
            Index(f"{p}commentmeta_meta_key", "meta_key"),
        )

    @cached_property
    def posts(self) -> Table:
        md, p = self._metadata, self.prefix
        return Table(
            f"{p}posts",
            md,
            _pk("ID"),
            Column("post_author", _id(), nullable=False, server_default="0"),
            Column("post_date", WPDateTime, nullable=False, server_default=ZERO_DATE),
            Column("post_date_gmt", WPDateTime, nullable=False, server_default=ZERO_DATE),
            Column("post_content", _longtext(), nullable=False),
            Column("post_title", Text, nullable=False),
            Column("post_excerpt", Text, nullable=False),
            Column("post_status", String(20), nullable=False, server_default="publish"),
            Column("comment_status", String(20), nullable=False, server_default="open"),
            Column("ping_status", String(20), nullable=False, server_default="open"),
            Column("post_password", String(255), nullable=False, server_default=""),
            Column("post_name", String(200), nullable=False, server_default=""),
            Column("to_ping", Text, nullable=False),
            Column("pinged", Text, nullable=False),
            Column("post_modified", WPDateTime, nullable=False, server_default=ZERO_DATE),
            Column("post_modified_gmt", WPDateTime, nullable=False, server_default=ZERO_DATE),
            Column("post_content_filtered", _longtext(), nullable=False),
            Column("post_parent", _id(), nullable=False, server_default="0"),
            Column("guid", String(255), nullable=False, server_default=""),
            Column("menu_order", Integer, nullable=False, server_default="0"),
            Column("post_type", String(20), nullable=False, server_default="post"),
            Column("post_mime_type", String(100), nullable=False, server_default=""),
            Column("comment_count", BigInteger, nullable=False, server_default="0"),
            Index(f"{p}posts_post_name", "post_name"),
            Index(f"{p}posts_type_status_date", "post_type", "post_status", "post_date", "ID"),
            Index(f"{p}posts_post_parent", "post_parent"),
            Index(f"{p}posts_post_author", "post_author"),
        )

    @cached_property
    def postmeta(self) -> Table:
        md, p = self._metadata, self.prefix
        return Table(
            f"{p}postmeta",
            md,
            _pk("meta_id"),
            Column("post_id", _id(), nullable=False, server_default="0"),
            Column("meta_key", String(255), nullable=True),
            Column("meta_value", _longtext(), nullable=True),
            Index(f"{p}postmeta_post_id", "post_id"),
            Index(f"{p}postmeta_meta_key", "meta_key"),
        )

    @cached_property
    def options(self) -> Table:
        md, p = self._metadata, self.prefix
        return Table(
            f"{p}options",
            md,
            _pk("option_id"),
            Column("option_name", String(191), nullable=False, server_default="", unique=True),
            Column("option_value", _longtext(), nullable=False),
            Column("autoload", String(20), nullable=False, server_default="yes"),
        )

    @cached_property
    def terms(self) -> Table:
        md, p = self._metadata, self.prefix
        return Table(
            f"{p}terms",
            md,
            _pk("term_id"),
            Column("name", String(200), nullable=False, server_default=""),
            Column("slug", String(200), nullable=False, server_default=""),
            Column("term_group", BigInteger, nullable=False, server_default="0"),
        )

    @cached_property
    def term_taxonomy(self) -> Table:
        md, p = self._metadata, self.prefix
        return Table(
            f"{p}term_taxonomy",
            md,
            _pk("term_taxonomy_id"),
            Column("term_id", _id(), nullable=False, server_default="0"),
            Column("taxonomy", String(32), nullable=False, server_default=""),
            Column("description", _longtext(), nullable=False),
            Column("parent", _id(), nullable=False, server_default="0"),
            Column("count", BigInteger, nullable=False, server_default="0"),
        )

    @cached_property
    def term_relationships(self) -> Table:
        md, p = self._metadata, self.prefix
        return Table(
            f"{p}term_relationships",
            md,
            Column("object_id", _id(), primary_key=True, server_default="0"),
            Column("term_taxonomy_id", _id(), primary_key=True, server_default="0"),
            Column("term_order", Integer, nullable=False, server_default="0"),
        )

    @cached_property
    def users(self) -> Table:
        # Users and the network tables are shared by all sites: base prefix.
        md, bp = self._metadata, self.base_prefix
        return Table(
            f"{bp}users",
            md,
            _pk("ID"),
            Column("user_login", String(60), nullable=False, server_default=""),
            Column("user_pass", String(255), nullable=False, server_default=""),
            Column("user_nicename", String(50), nullable=False, server_default=""),
            Column("user_email", String(100), nullable=False, server_default=""),
            Column("user_url", String(100), nullable=False, server_default=""),
            Column("user_registered", WPDateTime, nullable=False, server_default=ZERO_DATE),
            Column("user_activation_key", String(255), nullable=False, server_default=""),
            Column("user_status", Integer, nullable=False, server_default="0"),
            Column("display_name", String(250), nullable=False, server_default=""),
        )

    @cached_property
    def blogs(self) -> Table:
        md, bp = self._metadata, self.base_prefix
        return Table(
            f"{bp}blogs",
            md,
            _pk("blog_id"),
            Column("site_id", _id(), nullable=False, server_default="0"),
            Column("domain", String(200), nullable=False, server_default=""),
            Column("path", String(100), nullable=False, server_default=""),
            Column("registered", WPDateTime, nullable=False, server_default=ZERO_DATE),
            Column("last_updated", WPDateTime, nullable=False, server_default=ZERO_DATE),
            Column("public", Integer, nullable=False, server_default="1"),
            Column("archived", Integer, nullable=False, server_default="0"),
            Column("mature", Integer, nullable=False, server_default="0"),
            Column("spam", Integer, nullable=False, server_default="0"),
            Column("deleted", Integer, nullable=False, server_default="0"),
            Column("lang_id", Integer, nullable=False, server_default="0"),
        )

    # Tables a single-site WordPress always has; used to recognise one.
    @property
    def site_tables(self) -> list[Table]:
        return [
            self.comments,
            self.commentmeta,
            self.posts,
            self.postmeta,
            self.options,
            self.terms,
            self.term_taxonomy,
            self.term_relationships,
            self.users,
        ]


def site_prefix(base_prefix: str, blog_id: int | None) -> str:
    """WordPress multisite: site 1 uses the base prefix, site N uses '{base}{N}_'."""
    if blog_id is None or blog_id == 1:
        return base_prefix
    return f"{base_prefix}{int(blog_id)}_"
