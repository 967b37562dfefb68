"""The test bed: real WordPress (Debian's 6.1 PHP) on a real MariaDB, driven from pytest.

See tests/conftest.py for the fixtures; this package holds the pieces:

- ``bridge.php``: one PHP process runs a JSON list of commands inside WordPress.
- ``php``: runs the bridge; ``mariadb``: test databases and exact clones.
- ``site``: ``WPSite`` (one site) and ``Bed`` (session: templates, clean-up).
- ``seed``: ``seed_pings`` (realistic pings made by wp_new_comment).
- ``network``: ``WPNetwork`` (the ``wp_network`` fixture): a 7-site network with pings on
  several sites and archived/spam/deleted ones, made by WordPress, cloned per test.
- ``snapshot``: comparable dumps and SQLite copies.
- ``server``: WordPress served by ``php -S`` plus a local source page server.
"""

from .php import BridgeError
from .seed import Seeded, seed_pings
from .site import DEFAULT_HOME, SUB_SITE_PATH, Bed, WPSite
from .snapshot import Snapshot

__all__ = [
    "DEFAULT_HOME",
    "SUB_SITE_PATH",
    "Bed",
    "BridgeError",
    "Seeded",
    "Snapshot",
    "WPSite",
    "seed_pings",
]
