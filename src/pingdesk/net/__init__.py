"""Outbound HTTP only: URL vetting (safety), bounded fetching (fetch), link parsing and
matching (links), and the Akismet client. No database.

Everything that comes back from the network is hostile text. Results are plain
strings with control characters removed; callers must still render them as
text, never as markup.
"""
