"""The scriptable command line: the same operations the terminal UI calls."""
