"""`build_charts.py diff`: the editor of a data pull request reads what readers will see change.

Two commits of the real package in a scratch repository: the second revises a figure, adds one, and
adds one that contradicts a published figure (a finding). The report must say so in sentences, in
each language, with the pages affected.
"""

from __future__ import annotations

import pytest

from .releasing import SECOND_COMMIT, commit, make_repo, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    root, pkg = make_repo(tmp_path_factory.mktemp("diff") / "repo")
    pkg.set("figures", "chn-tjk-exports-2025", value="4100")
    common = {"reporter": "CHN", "flow": "turnover", "unit": "mn", "currency": "USD", "qualifier": "exact",
              "source_id": "caspianpost-2026-01", "locator": "para 9", "note": ""}
    pkg.add("figures", id="chn-tkm-turnover-2023", partner="TKM", period_start="2023-01-01",
            period_end="2023-12-31", value="10600", **common)
    pkg.add("figures", id="chn-kaz-turnover-2025-bis", partner="KAZ", period_start="2025-01-01",
            period_end="2025-12-31", value="51200", **common)
    commit(root, "One figure revised, one added, one that contradicts another", SECOND_COMMIT)
    return root


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", [
        "## What readers will see change, compared with HEAD~1",
        "- China, exports to Tajikistan, 2025: the value revised from US$3.7bn to US$4.1bn"
        " (figure chn-tjk-exports-2025; source: The Caspian Post, via Eurasianet, 2026-01)",
        "- China, trade with Turkmenistan, 2023: US$10.6bn",
        "- Two sources, two values: chn-kaz-turnover-2025, chn-kaz-turnover-2025-bis",
        "- Kazakhstan", "- Tajikistan", "- Turkmenistan",
    ]),
    ("ru", [
        "## Что изменится для читателей по сравнению с HEAD~1",
        "- Китай, экспорт (партнёр: Таджикистан), 2025\u00a0г.: значение — было 3,7 млрд долл. США, стало"
        " 4,1 млрд долл. США (цифра chn-tjk-exports-2025; источник: The Caspian Post, via Eurasianet, 2026-01)",
        "- Китай, товарооборот (партнёр: Туркменистан), 2023\u00a0г.: 10,6 млрд долл. США",
        "- Два источника — два значения: chn-kaz-turnover-2025, chn-kaz-turnover-2025-bis",
        "- Казахстан", "- Таджикистан", "- Туркменистан",
    ]),
])
def test_the_report_says_what_readers_will_see_change(edited, lang, expected):
    result = run("diff", "HEAD~1", "--lang", lang, cwd=edited)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for line in expected:
        assert line in lines, f"{line!r} not in:\n{result.stdout}"
    assert "value_mn" not in result.stdout and "Traceback" not in result.stderr
    assert not any(line.startswith("- Uzbekistan") or line.startswith("- Узбекистан") for line in lines)


def test_a_verdict_that_changes_is_reported(edited, tmp_path):
    # China's exports to Tajikistan against Tajikistan's imports: a large gap; made equal, it is consistent
    import shutil

    from .conftest import PackageCopy

    repo = tmp_path / "repo"
    shutil.copytree(edited, repo)
    PackageCopy(repo / "datapackages" / "trade").set("figures", "chn-tjk-exports-2025", value="2250")
    result = run("diff", "HEAD", cwd=repo)
    assert "- Tajikistan, goods from China to Tajikistan, 2025: large → consistent" in result.stdout.splitlines(), \
        result.stdout


def test_an_unknown_revision_is_one_line_naming_it(edited):
    result = run("diff", "no-such-branch", cwd=edited)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: diff: git cannot read datapackages/trade at 'no-such-branch'")
