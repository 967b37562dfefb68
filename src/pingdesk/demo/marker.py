"""How pingdesk knows a database is its demo blog: by what the demo wrote into it.

The demo blog's pings point at sources and an Akismet key that only the demo's
offline look-alikes answer (pingdesk.demo.sources, pingdesk.demo.akismet). A
command run on that database with ``--db`` must use those look-alikes, never the
network, so it asks here. The file name proves nothing (it can be copied and
renamed); the option ``pingdesk_demo`` is written by ``demo.blog.build``. Demo
blogs made before that option existed are known by their home and Akismet key,
both of which only the demo uses (``.example`` is a reserved domain).
"""

from __future__ import annotations

from pingdesk.wp.blog import Blog

MARKER_OPTION = "pingdesk_demo"
HOME = "http://fieldnotes.example"
DEMO_KEY = "demo00000000"


def is_demo(blog: Blog) -> bool:
    o = blog.options([MARKER_OPTION, "home", "wordpress_api_key"])
    if o[MARKER_OPTION] == "1":
        return True
    return o["home"] == HOME and o["wordpress_api_key"] == DEMO_KEY
