"""Network access for source verification: URL vetting, bounded fetching, link checks.

Everything that comes back from the network is hostile text. Results are plain
strings with control characters removed; callers must still render them as
text, never as markup.
"""
