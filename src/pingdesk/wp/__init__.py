"""The WordPress database, read and written exactly as WordPress itself would.

No network, no user configuration, no UI: given a Blog (an engine and its tables),
these modules read pings, moderate them, close pings on posts, change the
Discussion settings and keep the Akismet plugin's and pingdesk's own meta.
"""
