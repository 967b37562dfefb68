"""An opt-in index that makes ping counts cheap on large blogs.

WordPress has no index covering comment_type, so counting pings by status and
type reads the whole comments table (~1.5 s for 1M comments when it does not
fit in the buffer pool; WordPress's own pending count pays the same). An index
on (comment_approved, comment_type, comment_date_gmt) lets the count read a
small index instead. It is never created implicitly: it changes a table
WordPress owns (dbDelta leaves extra indexes alone on upgrades) and building it
on a million rows takes a while, so the admin decides.
"""

from __future__ import annotations

from sqlalchemy import inspect, text

from pingdesk.wp.blog import Blog

INDEX_NAME = "pingdesk_approved_type_date"
_COLUMNS = ("comment_approved", "comment_type", "comment_date_gmt")


def has_index(blog: Blog) -> bool:
    table = blog.tables.comments.name
    with blog.engine.connect() as conn:
        return any(ix.get("name") == INDEX_NAME for ix in inspect(conn).get_indexes(table))


def add_index(blog: Blog) -> bool:
    """Create the index; False if it was there already."""
    if has_index(blog):
        return False
    table = blog.tables.comments.name  # from a validated prefix
    cols = ", ".join(_COLUMNS)
    with blog.engine.begin() as conn:
        if blog.dialect in ("mysql", "mariadb"):
            # Online DDL: WordPress keeps reading and writing comments meanwhile.
            conn.execute(
                text(
                    f"ALTER TABLE `{table}` ADD INDEX `{INDEX_NAME}` ({cols}), "
                    "ALGORITHM=INPLACE, LOCK=NONE"
                )
            )
        else:
            conn.execute(text(f'CREATE INDEX "{INDEX_NAME}" ON "{table}" ({cols})'))
    return True


def drop_index(blog: Blog) -> bool:
    """Remove the index; False if it was not there."""
    if not has_index(blog):
        return False
    table = blog.tables.comments.name
    with blog.engine.begin() as conn:
        if blog.dialect in ("mysql", "mariadb"):
            conn.execute(text(f"ALTER TABLE `{table}` DROP INDEX `{INDEX_NAME}`"))
        else:
            conn.execute(text(f'DROP INDEX "{INDEX_NAME}"'))
    return True
