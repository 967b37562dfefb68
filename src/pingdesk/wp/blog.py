"""A connected WordPress site: engine, tables and a few cached options."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from pingdesk.wp.schema import Tables


@dataclass
class Blog:
    """One WordPress site in one database.

    ``label`` says where the database is (``user@host/db`` or a file path) for
    headers and messages; it never contains a password.
    """

    engine: Engine
    tables: Tables
    label: str
    site_id: int | None = None
    akismet_key: str | None = None  # WPCOM_API_KEY from wp-config.php, if any
    multisite: bool = False
    # The wp-config.php it was found by, when there was one: where the blog's files are
    # (its must-use plugins), for what lives beside the database (self-pings).
    wp_config: Path | None = None
    _options: dict[str, str | None] = field(default_factory=dict, repr=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def key(self) -> str:
        """Identifies the blog in the journal: where it is and which tables."""
        return f"{self.label}#{self.tables.prefix}"

    def options(self, names: Iterable[str], *, fresh: bool = False) -> dict[str, str | None]:
        """Read options by name (missing ones are None); cached unless ``fresh``."""
        wanted = list(dict.fromkeys(names))
        missing = [n for n in wanted if fresh or n not in self._options]
        if missing:
            opt = self.tables.options
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(opt.c.option_name, opt.c.option_value).where(
                        opt.c.option_name.in_(missing)
                    )
                ).all()
            found = {name: value for name, value in rows}
            for name in missing:
                self._options[name] = found.get(name)
        return {n: self._options.get(n) for n in wanted}

    def option(self, name: str, default: str | None = None, *, fresh: bool = False) -> str | None:
        value = self.options([name], fresh=fresh)[name]
        return default if value is None else value

    def forget_options(self) -> None:
        self._options.clear()
