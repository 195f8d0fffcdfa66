"""The chart JavaScript (Vega, Vega-Lite, vega-embed) as one file the site serves itself: no CDN at read time."""

from __future__ import annotations

from . import drawing
from .drawing import VL_VERSION
from .site import Shared

BUNDLE_PATH = "assets/js/vega.js"
# Addresses of other hosts in the bundle, blanked so the site names none: the action menu's external
# editor (the menu is turned off) and an issue link inside a warning message. The bundle keeps
# "https://vega.github.io/schema/..." strings: identifiers Vega parses for a version, never fetched.
EXTERNAL_LITERALS = ("https://vega.github.io/editor/", "https://github.com/vega/vega-lite/issues/2415")


def bundle_key() -> str:
    import vl_convert as vlc

    versions = f"{vlc.get_vega_embed_version()} {vlc.get_vega_version()} vega-lite {VL_VERSION}"
    return f"blank {len(EXTERNAL_LITERALS)} vl-convert {versions}"


def javascript_bundle() -> bytes:
    """Vega, Vega-Lite and vega-embed as one script, served from the site itself (no CDN).

    Each edition serves its own copy (its embed pages load it from beside them); the bundle is the same for
    all and costs seconds to make, so it is made once per process, whichever edition asks first.
    """
    return _BUNDLE()


def _make_bundle() -> bytes:
    code = drawing.convert("javascript_bundle", "window.vegaEmbed = vegaEmbed; window.vega = vega;",
                           vl_version=VL_VERSION)
    for literal in EXTERNAL_LITERALS:
        code = code.replace(literal, "")
    return code.encode("utf-8")


_BUNDLE = Shared(_make_bundle)
