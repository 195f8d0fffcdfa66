"""MkDocs hook: build each other language edition into its folder of the site.

The main build (mkdocs build, or mike deploy, which runs it) leaves the other
editions' folders out of its own pages, then builds each of them with the same
mkdocs.yml, its own navigation (docs/<lang>/.nav.yml, written by
build_charts.py) and the theme in that language, into site/<lang>/. The
language switcher's links are rebased for each edition and stay relative, so
they work inside every version that mike publishes. `mkdocs serve` builds
them too, into the folder it serves, so the language switcher of a preview
leads to the other edition, not to a 404.

A site with one language shows no language menu and no hreflang links: with a
single entry, `extra.alternate` is emptied for the theme. A folder of docs/
left by a language that is no longer listed (docs/ru/ after its entry was
deleted) is left out of the site; build_charts.py warns about it.
"""

import os
from pathlib import Path

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError

from trademirror import languages, siteconfig

MIKE_VERSION = "MIKE_DOCS_VERSION"  # set by `mike deploy` for the build it runs
PREVIEW = "TRADEMIRROR_PREVIEW"  # set by `build_charts.py serve` (trademirror/preview.py)


def _editions(config):
    found = languages.from_config({"theme": {"language": config.theme["language"]}, "extra": config.extra})
    main = found[0]
    return main, found[1:]


def _is_main_build(config) -> bool:
    main, _ = _editions(config)
    return config.theme["language"] == main.code and not config.extra.get("edition")


def on_config(config):
    """One language is no choice: Material draws the menu and hreflang links whenever the list is not empty."""
    main, others = _editions(config)
    if not others and not config.extra.get("edition"):
        config.extra["alternate"] = []
    return config


def on_files(files, config):
    if not _is_main_build(config):
        return files
    main, others = _editions(config)
    skipped = [edition.folder for edition in others]
    skipped += languages.leftover_folders(Path(config.docs_dir), [main, *others])
    for file in list(files):
        if any(file.src_uri.startswith(folder) for folder in skipped):
            files.remove(file)
    return files


def on_post_build(config):
    if not _is_main_build(config):
        return
    main, others = _editions(config)
    raw = siteconfig.read(Path(config.config_file_path))
    for edition in others:
        docs = Path(config.docs_dir) / edition.folder
        nav_file = docs / languages.NAV_FILE
        if not nav_file.is_file():
            raise PluginError(f"{nav_file}: missing — run `python build_charts.py` first; it writes the"
                              f" {edition.name} edition into {docs}")
        theme = {**raw.get("theme", {}), "language": edition.code}
        alternate = [{**alt, "link": _rebase(alt.get("link"), edition)} for alt in config.extra["alternate"]]
        generated = yaml.safe_load(nav_file.read_text(encoding="utf-8"))
        extra = {**config.extra, **generated.get("extra", {}), "alternate": alternate, "edition": edition.code}
        # The footer and the pages' description in the edition's language, from its entry in extra.alternate.
        words = next((alt for alt in config.extra["alternate"] if languages._folder(alt.get("link")) == edition.folder),
                     {})
        texts = {key: words[name] for key, name in (("copyright", "copyright"), ("site_description", "description"))
                 if words.get(name)}
        site_url = (config.site_url or "") and config.site_url.rstrip("/") + "/" + edition.folder
        # mike's plugin has already put the version into site_url; it must not add it a second time.
        version = os.environ.pop(MIKE_VERSION, None)
        try:
            edition_config = load_config(
                config.config_file_path, docs_dir=str(docs), site_dir=str(Path(config.site_dir) / edition.folder),
                nav=generated["nav"], theme=theme, extra=extra, site_url=site_url or None, strict=config.strict,
                **texts)
            # The live preview rebuilds only what changed (MkDocs' dirty build), in every edition alike.
            build(edition_config, dirty=bool(os.environ.get(PREVIEW)))
        finally:
            if version is not None:
                os.environ[MIKE_VERSION] = version


def _rebase(link, edition) -> str:
    """A switcher link relative to the main site's root, made relative to the edition's root."""
    target = languages._folder(link)
    return "../" * edition.folder.count("/") + target
