"""What a build says about the release it publishes: its version, date and addresses, the Atom feed entry
announcing it, and the settings the theme templates read (citation, feed, version notices)."""

from __future__ import annotations

from pathlib import Path

from . import changelog, feed, siteconfig
from .changelog import Release
from .i18n import Catalogue
from .releases import LATEST, published_file
from .report import Report


def release_info(meta: dict, site_config: dict, today, stamp: str = "", correction: str = "") -> dict:
    """The release a build publishes: its version, its date, the address mike will publish it at, and, when it
    is republished, the correction that is the reason."""
    version = str(meta.get("version", ""))
    base = siteconfig.site_url(site_config).rstrip("/")
    url = f"{base}/{version}/" if base and version else (f"{base}/" if base else "")
    return {"version": version, "date": today.isoformat(), "stamp": stamp or f"{today.isoformat()}T00:00:00Z",
            "correction": correction, "url": url, "site_url": f"{base}/" if base else "",
            "latest": f"{base}/{LATEST}/" if base else "",
            "site_name": str(site_config.get("site_name") or meta.get("title") or meta.get("name", ""))}


def site_extra(catalogue: Catalogue, release: dict, folder: str) -> dict:
    """Settings the theme templates read (citation, feed, social image), in the edition's language."""
    return {"release": release, "edition_folder": folder,
            "cite": {"title": catalogue.text("cite.title"), "lead": catalogue.text("cite.lead"),
                     "text": catalogue.text("cite.text", site="{site}", page="{page}", version="{version}",
                                            date="{date}", url="{url}")},
            "feed": {"title": catalogue.text("feed.title", site=release["site_name"]), "path": feed.FEED_FILE},
            "release_texts": {key: catalogue.text(f"release.{key}", version="{version}", latest="{latest}")
                              for key in ("select", "latest", "notice", "notice_link", "notice_home", "missing")}}


def release_feed(catalogue: Catalogue, release: dict, folder: str, changes: changelog.Changes, report: Report,
                 previous_feed: bytes | None) -> bytes:
    """The edition's Atom feed: the entries published before, and this release's."""
    base = release["url"] + folder if release["url"] else f"urn:trademirror:{release['version']}:{folder}"
    latest = release["latest"] + folder if release["latest"] else base
    entry = feed.Entry(
        id=base + "changelog.html", link=base + "changelog.html", updated=release["stamp"],
        title=catalogue.text("feed.entry_title", version=release["version"]),
        summary=catalogue.text("feed.entry_summary", added=len(changes.added), revised=len(changes.revised),
                               removed=len(changes.removed), findings=len(report.findings)))
    entries = feed.with_release(feed.previous_entries(previous_feed), entry)
    return feed.atom(catalogue.text("feed.title", site=release["site_name"]), catalogue.text("feed.subtitle"),
                     latest + feed.FEED_FILE, latest, release["site_name"], catalogue.locale, entries)


def published_feed(repo: Path, previous: Release | None, folder: str) -> bytes | None:
    """The feed an edition published with the previous release, whose entries the new feed keeps."""
    if previous is None:
        return None
    return published_file(repo, previous.version, folder + feed.FEED_FILE)
