"""MkDocs hook: after the site is built, add the Content-Security-Policy to every page.

Thin on purpose: the work is in trademirror/csp.py, which can also be run on
any built site (`python build_charts.py csp SITE_DIR`), for a theme or a site
generator without MkDocs hooks. Skipped under `mkdocs serve`, whose live-reload
script is inline and would be blocked.
"""

from pathlib import Path

from trademirror import csp

_command = "build"


def on_startup(command, dirty):
    global _command
    _command = command


def on_post_build(config):
    if _command != "serve":
        csp.apply(Path(config["site_dir"]))
