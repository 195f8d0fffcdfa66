"""Markdown pages from Jinja2 templates (one template per page kind, in templates/).

Every `{{ value }}` is escaped for Markdown and HTML unless it is already
trusted Markup (a message from the catalogue, whose own values were escaped
when it was filled). Inside raw HTML blocks, templates use `|attr` instead.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import jinja2

from .i18n import Catalogue, attr, md, url
from .views import Page, Views

TEMPLATES = Path(__file__).parent / "templates"
CHART_DIR = "assets/charts"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,
        finalize=md,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["attr"] = attr
    env.filters["md"] = md
    env.filters["url"] = url
    return env


def prefix_for(path: str) -> str:
    """The relative path from a page back to the docs root: '' or '../'."""
    return "../" * (len(PurePosixPath(path).parts) - 1)


def chart_stem(page_path: str) -> str:
    return str(PurePosixPath(page_path).with_suffix(""))


def chart_urls(page_path: str, name: str) -> dict[str, str]:
    base = f"{prefix_for(page_path)}{CHART_DIR}/{chart_stem(page_path)}/{name}"
    return {"spec": f"{base}.vl.json", "svg": f"{base}.svg", "csv": f"{base}.csv"}


def render(page: Page, views: Views, env: jinja2.Environment, catalogue: Catalogue) -> str:
    template = env.get_template(page.template)
    charts = [{"name": c.name, "text": c.text, "urls": chart_urls(page.path, c.name),
               "rows": c.data.to_dict("records")} for c in page.charts]
    return template.render(
        **page.context,
        t=catalogue.t,
        items=catalogue.items,
        prefix=prefix_for(page.path),
        focus=views.names[views.focus],
        region=views.names.get(views.region, "") if views.region else "",
        charts=charts,
    )
