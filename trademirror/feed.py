"""An Atom feed of data releases, one entry per release, newest first.

Each published version carries the feed as it stood at that release, so the
next release reads the previous feed back from gh-pages and adds its own entry
on top: the history lives in what was published, with no file to keep in step.
Readers subscribe to `latest/feed.xml`, which mike keeps pointing at the newest.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)
FEED_FILE = "feed.xml"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    updated: str  # RFC 3339
    summary: str


def _tag(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def previous_entries(xml: bytes | None) -> list[Entry]:
    """The entries of an earlier feed; none if there is no feed or it cannot be read."""
    if not xml:
        return []
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return []
    entries = []
    for node in root.findall(_tag("entry")):
        link = node.find(_tag("link"))
        entries.append(Entry(node.findtext(_tag("id"), ""), node.findtext(_tag("title"), ""),
                             link.get("href", "") if link is not None else "", node.findtext(_tag("updated"), ""),
                             node.findtext(_tag("summary"), "")))
    return entries


def atom(title: str, subtitle: str, feed_id: str, home: str, author: str, lang: str, entries: list[Entry]) -> bytes:
    """The feed document; its bytes depend only on the arguments."""
    root = ET.Element(_tag("feed"), {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    ET.SubElement(root, _tag("title")).text = title
    ET.SubElement(root, _tag("subtitle")).text = subtitle
    ET.SubElement(root, _tag("id")).text = feed_id
    ET.SubElement(root, _tag("link"), {"rel": "self", "href": feed_id})
    if home:
        ET.SubElement(root, _tag("link"), {"rel": "alternate", "type": "text/html", "href": home})
    ET.SubElement(root, _tag("updated")).text = max((e.updated for e in entries), default="1970-01-01T00:00:00Z")
    ET.SubElement(ET.SubElement(root, _tag("author")), _tag("name")).text = author
    for entry in entries:
        node = ET.SubElement(root, _tag("entry"))
        ET.SubElement(node, _tag("title")).text = entry.title
        ET.SubElement(node, _tag("id")).text = entry.id
        ET.SubElement(node, _tag("link"), {"rel": "alternate", "type": "text/html", "href": entry.link})
        ET.SubElement(node, _tag("updated")).text = entry.updated
        ET.SubElement(node, _tag("summary")).text = entry.summary
    ET.indent(root)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def with_release(previous: list[Entry], new: Entry) -> list[Entry]:
    """The new release on top; a republished version replaces its own earlier entry."""
    return [new, *(e for e in previous if e.id != new.id)]
