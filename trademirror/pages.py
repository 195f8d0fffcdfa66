"""Markdown pages from Jinja2 templates (one template per page kind, in templates/).

Every `{{ value }}` is escaped for Markdown and HTML unless it is already
trusted Markup (a message from the catalogue, whose own values were escaped
when it was filled). Inside raw HTML blocks, templates use `|attr` instead.
"""

from __future__ import annotations

import functools
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import jinja2

from .contexts import Page
from .i18n import Catalogue, attr, md, url

if TYPE_CHECKING:
    from .views import Views

TEMPLATES = Path(__file__).parent / "templates"
CHART_DIR = "assets/charts"


@functools.cache
def environment() -> jinja2.Environment:
    """One environment per process: its templates are compiled once, however many builds run."""
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


EMBED_DIR = "embed"


def chart_paths(page_path: str, name: str) -> dict[str, str]:
    """A chart's files, relative to the edition's root."""
    base = f"{CHART_DIR}/{chart_stem(page_path)}/{name}"
    return {"spec": f"{base}.vl.json", "svg": f"{base}.svg", "csv": f"{base}.csv", "png": f"{base}.png",
            "card": f"{base}.card.png", "page": f"{base}.page.svg", "phone": f"{base}.phone.svg",
            "embed": f"{EMBED_DIR}/{chart_stem(page_path)}/{name}.html"}


def chart_urls(page_path: str, name: str, release_url: str = "") -> dict[str, str]:
    """Links from the page to its chart's files; the embed code needs the published address."""
    prefix = prefix_for(page_path)
    paths = chart_paths(page_path, name)
    urls = {kind: prefix + path for kind, path in paths.items()}
    urls.update({f"{kind}_path": path for kind, path in paths.items()})
    urls["embed_absolute"] = release_url + paths["embed"]
    return urls


def front_matter(meta: dict) -> str:
    if not meta:
        return ""
    import yaml

    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=True) + "---\n"


def render(page: Page, views: Views, env: jinja2.Environment, catalogue: Catalogue, release_url: str = "") -> str:
    template = env.get_template(page.template)
    charts = [chart_context(page, c, release_url) for c in page.charts]
    if charts:  # the first chart is near the top: the browser should fetch its image at once, not when it is in view
        charts[0]["eager"] = True
    meta = {"social_image": chart_paths(page.path, page.charts[0].name)["card"]} if page.charts else {}
    lead_chart = charts[0] if charts and page.leads_with_chart else None
    return front_matter(meta) + template.render(
        **page.context,
        lead_chart=lead_chart,
        t=catalogue.t,
        items=catalogue.items,
        prefix=prefix_for(page.path),
        focus=views.said[views.focus],  # the templates use both in sentences
        region=views.said.get(views.region, "") if views.region else "",
        charts=charts[1:] if lead_chart else charts,
    )


def chart_context(page: Page, chart, release_url: str = "") -> dict:
    height = chart.spec.get("height") if isinstance(chart.spec.get("height"), int) else 300
    urls = chart_urls(page.path, chart.name, release_url)
    from .charts import PAGE_WIDTH, PHONE_MAX

    return {"name": chart.name, "text": chart.text, "urls": urls, "rows": chart.data.to_dict("records"),
            "page_width": PAGE_WIDTH, "phone_max": PHONE_MAX, "eager": False,
            "frame_height": height + 160, "embed_code": embed_code(urls["embed_absolute"], chart.text.title,
                                                                  height + 160)}


# Resizes the host page's iframe to the chart's height: the embed page posts its height (assets/js/charts.js).
RESIZE_SNIPPET = ('<script>window.addEventListener("message",function(e){var h=e.data&&e.data["trade-mirror-height"];'
                  'if(!h)return;document.querySelectorAll("iframe[data-trade-mirror]").forEach(function(f){'
                  'if(f.contentWindow===e.source)f.style.height=h+"px"})});</script>')


def embed_code(src: str, title: str, height: int) -> str:
    """The code a host page pastes: the chart's iframe, and a few lines that let it take the chart's height."""
    from html import escape

    return (f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" height="{height}" '
            f'style="border:0" loading="lazy" data-trade-mirror></iframe>\n{RESIZE_SNIPPET}')


def render_embed(page: Page, chart, env: jinja2.Environment, catalogue: Catalogue, embed_source: str) -> str:
    """The minimal page a chart is embedded from: the chart, its source line, a link back."""
    context = chart_context(page, chart)
    path = context["urls"]["embed_path"]
    return env.get_template("embed.html.j2").render(
        chart=context, lang=catalogue.locale, root=prefix_for(path), t=catalogue.t, embed_source=embed_source,
        page_html=str(PurePosixPath(page.path).with_suffix(".html")))
