"""The offline demo blog (``pingdesk demo``) and its look-alike servers on 127.0.0.1:
source pages for verification and an Akismet stand-in."""
