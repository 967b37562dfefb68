"""pingdesk: moderate WordPress trackbacks, pingbacks and webmentions from a terminal."""

__version__ = "0.1.0"
