"""The policy's pieces: which inline scripts get a hash, and where the <meta> goes."""

from __future__ import annotations

import base64
import hashlib

import pytest

from trademirror import csp


def expected_hash(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("html, hashed", [
    ("<script>var a=1</script>", ["var a=1"]),
    ('<script src="app.js"></script>', []),
    ('<script id="__config" type="application/json">{"a": 1}</script>', []),
    ('<script type="application/ld+json">{}</script>', []),
    ("<script>one()</script><p>x</p><script>\ntwo()\n</script>", ["one()", "\ntwo()\n"]),
    ('<SCRIPT type="text/javascript">up()</SCRIPT>', ["up()"]),
])
def test_every_inline_script_that_runs_gets_its_hash_and_no_other(html, hashed):
    assert csp.inline_script_hashes(html) == {expected_hash(body) for body in hashed}


def test_the_policy_allows_scripts_only_from_the_site_and_by_hash():
    policy = csp.policy({expected_hash("a()")})
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert script_src == f"script-src 'self' {expected_hash('a()')}"
    assert "unsafe-eval" not in policy and "default-src 'self'" in policy and "object-src 'none'" in policy


def test_the_meta_comes_before_any_script_and_is_not_doubled():
    page = '<html><head><meta charset="utf-8"><script>x()</script></head><body></body></html>'
    once = csp.with_meta(page, "default-src 'self'")
    assert once.index("Content-Security-Policy") < once.index("<script>")
    assert csp.with_meta(once, "default-src 'self'") == once


def test_apply_writes_every_page_and_the_headers_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text('<head><meta charset="utf-8"><script>a()</script></head>')
    (tmp_path / "sub" / "page.html").write_text('<head><meta charset="utf-8"><script>b()</script></head>')
    policy = csp.apply(tmp_path)
    assert expected_hash("a()") in policy and expected_hash("b()") in policy
    for page in ("index.html", "sub/page.html"):  # every page allows every page's scripts (instant navigation)
        assert f'content="{policy}"' in (tmp_path / page).read_text()
    assert (tmp_path / "_headers").read_text() == f"/*\n  Content-Security-Policy: {policy}\n"
