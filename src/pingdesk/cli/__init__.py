"""The scriptable command line: one module per noun, the same operations the
terminal UI calls (pingdesk.services)."""
