"""MkDocs hook for the live preview (`build_charts.py serve`): rebuild the pages from the data before each
build, and put the data's errors on every page while it does not validate. Does nothing in other builds."""

import os
from pathlib import Path

from trademirror import preview
from trademirror.i18n import Catalogue
from trademirror.paths import Paths


def on_pre_build(config):
    descriptor = os.environ.get(preview.ENV)
    if descriptor and not config.extra.get("edition"):  # an edition is built from the same refresh
        preview.refresh(Path(descriptor), Paths(Path(config.config_file_path).parent))


def on_post_page(output, page, config):
    if not os.environ.get(preview.ENV) or not preview.problems:
        return output
    words = Catalogue(config.theme["language"])
    return preview.with_banner(output, preview.problems, words.text("preview.title"), words.text("preview.lead"))
