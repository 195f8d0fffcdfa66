"""A page's files: its Markdown and, per chart, the spec, data, embed page and the renderers of its images.

`made` turns a page into an `economy.Made` (text only, so it can be cached); `page_outputs` turns that into
the `site.Output`s to write, each image a function of its key, drawn only when its key changed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

from . import charts, economy, pages, site, spreadsheet
from .errors import BuildError
from .i18n import Catalogue


def spec_bytes(spec: dict) -> bytes:
    return (json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def chart_csv(frame) -> bytes:
    return spreadsheet.guard_frame(frame).to_csv(index=False, lineterminator="\n", float_format="%.4g").encode("utf-8")


def made(page, views, env, catalogue: Catalogue, edition_url: str, embed_source: str) -> economy.Made:
    """A page's Markdown and, for each chart, its spec, data and embed page (the images are drawn later)."""
    earlier, catalogue.missing = catalogue.missing, set()  # this page's own, whatever pages came before it
    try:
        text = pages.render(page, views, env, catalogue, edition_url)
        made_charts = tuple((chart.name, spec_bytes(chart.spec).decode("utf-8"),
                             chart_csv(chart.data).decode("utf-8"),
                             pages.render_embed(page, chart, env, catalogue, embed_source)) for chart in page.charts)
        missing = tuple(sorted(catalogue.missing))
    finally:
        catalogue.missing = earlier | catalogue.missing
    return economy.Made(page.path, text, made_charts, missing)


def page_outputs(made: economy.Made) -> list[site.Output]:
    """The files of one made page: the page, and per chart its spec, data, embed page and images."""
    outputs = [site.Output(made.path, made.page.encode("utf-8"))]
    for number, (name, spec_text, csv_text, embed) in enumerate(made.charts):
        files = pages.chart_paths(made.path, name)
        spec = spec_text.encode("utf-8")
        outputs.append(site.Output(files["spec"], spec))
        outputs.append(site.Output(files["csv"], csv_text.encode("utf-8")))
        outputs += _images(files, spec, headline=number == 0)
        outputs.append(site.Output(files["embed"], embed.encode("utf-8")))
    return outputs


def _images(files: dict[str, str], spec: bytes, headline: bool) -> list[site.Output]:
    """A chart's images: the SVG and PNG downloads, the page and phone layouts, and for the page's headline
    chart its social-media card."""
    key = f"{charts.renderer_version()} {site.sha256(spec)}"  # a new renderer draws every image anew
    svg = site.Shared(_renderer(charts.render_svg, spec, files["svg"]))
    outputs = [site.Output(files["svg"], render=svg, key=key),
               site.Output(files["png"], render=_rasteriser(svg, files["png"]),
                           key=f"png {charts.PNG_FROM_SVG} {charts.PNG_SCALE} {key}")]
    for kind, width in (("page", charts.PAGE_WIDTH), ("phone", charts.PHONE_WIDTH)):
        draw = functools.partial(charts.render_page_svg, width=width)
        outputs.append(site.Output(files[kind], key=f"{kind} {width} {charts.STATIC_LAYOUT} {key}",
                                   render=_renderer(draw, spec, files[kind])))
    if headline:
        outputs.append(site.Output(files["card"], key=f"card {charts.CARD_SIZE} {key}",
                                   render=_renderer(charts.render_card, spec, files["card"])))
    return outputs


def _renderer(draw: Callable[[dict], str | bytes], spec: bytes, path: str) -> Callable[[], bytes]:
    """An image's renderer, drawing from the spec's bytes as written: an image is a function of its key."""
    def render() -> bytes:
        try:
            image = draw(json.loads(spec))
        except Exception as exc:  # vl-convert raises plain exceptions for a spec it cannot draw
            raise BuildError(f"{path}: the chart could not be drawn ({exc}) — check the chart's spec beside it"
                             " (.vl.json); nothing was changed") from None
        return image.encode("utf-8") if isinstance(image, str) else image
    return render


def _rasteriser(svg: Callable[[], bytes], path: str) -> Callable[[], bytes]:
    """The PNG download's renderer: the SVG download's bytes (drawn once, see site.Shared), rasterised."""
    def render() -> bytes:
        drawn = svg()  # a chart the renderer cannot lay out fails here, with the SVG's path
        try:
            return charts.svg_png(drawn.decode("utf-8"))
        except Exception as exc:  # vl-convert raises plain exceptions
            raise BuildError(f"{path}: the chart's SVG could not be rasterised ({exc}); nothing was changed") from None
    return render
