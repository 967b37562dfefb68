"""Browser mode (`pingdesk serve`): the terminal UI served to a web page by textual-serve.

``loopback`` is cheap to import (the CLI checks --host with it before anything is
loaded); ``server`` brings in textual-serve and aiohttp.
"""
