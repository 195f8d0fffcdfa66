"""A Content-Security-Policy for the built site, with the theme's inline scripts allowed by hash.

Static hosts such as GitHub Pages cannot send headers, so the policy goes into
a `<meta http-equiv>` on every page; a newsroom that controls its server can
send the same policy as a header (`_headers` beside the site holds it). Our own
JavaScript lives in files; the few inline scripts the theme writes are allowed
by their sha256, computed from the built pages, so no `'unsafe-inline'` and no
`'unsafe-eval'` for scripts. The hashes of all pages go into every page's
policy: the theme's instant navigation keeps the first page's policy while
showing the next page.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

# script elements whose body the browser runs (JSON data blocks such as Material's __config are not run)
INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)
DATA_TYPE = re.compile(r"""\btype\s*=\s*["']?application/(ld\+)?json""", re.I)
EXISTING = re.compile(r'\s*<meta http-equiv="Content-Security-Policy"[^>]*>', re.I)
CHARSET = re.compile(r"<meta charset=[^>]*>", re.I)
HEADERS_FILE = "_headers"

DIRECTIVES = (
    ("default-src", "'self'"),
    ("script-src", "'self' {hashes}"),
    ("style-src", "'self' 'unsafe-inline'"),  # Vega and the theme set style attributes; styles cannot run code
    ("img-src", "'self' data:"),  # the theme's icons are data: URIs in its CSS
    ("font-src", "'self'"),
    ("connect-src", "'self'"),  # chart specs, search index, versions.json
    ("worker-src", "'self'"),  # the search worker
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
)


def inline_script_hashes(html: str) -> set[str]:
    """CSP source expressions for every inline script a browser would run in this page."""
    found = set()
    for match in INLINE_SCRIPT.finditer(html):
        attrs = match.group("attrs") or ""
        if re.search(r"\bsrc\s*=", attrs, re.I) or DATA_TYPE.search(attrs):
            continue
        digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
        found.add(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return found


def policy(hashes: set[str]) -> str:
    return "; ".join(f"{name} {value.format(hashes=' '.join(sorted(hashes)))}".strip()
                     for name, value in DIRECTIVES)


def with_meta(html: str, csp: str) -> str:
    """The page with the policy as its first <meta> after the charset (before any script can run)."""
    html = EXISTING.sub("", html)
    tag = f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
    match = CHARSET.search(html)
    if match:
        return html[: match.end()] + "\n    " + tag + html[match.end():]
    return re.sub(r"<head[^>]*>", lambda m: m.group(0) + tag, html, count=1, flags=re.I)


def apply(site_dir: Path) -> str:
    """Write the policy into every HTML page of a built site, and beside it as a `_headers` file; return it."""
    pages = sorted(site_dir.rglob("*.html"))
    texts = {page: page.read_text(encoding="utf-8") for page in pages}
    hashes: set[str] = set()
    for text in texts.values():
        hashes |= inline_script_hashes(EXISTING.sub("", text))
    csp = policy(hashes)
    for page, text in texts.items():
        updated = with_meta(text, csp)
        if updated != text:
            page.write_text(updated, encoding="utf-8")
    (site_dir / HEADERS_FILE).write_text(f"/*\n  Content-Security-Policy: {csp}\n", encoding="utf-8")
    return csp
