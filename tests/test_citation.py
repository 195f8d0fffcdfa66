"""CITATION.cff names the same repository, site, version and licence as the project's own configuration.

The file was checked once against the Citation File Format 1.2.0 schema with
`cffconvert --validate` (cffconvert 2.0.0, not a project dependency); these
tests keep it from drifting away from mkdocs.yml and pyproject.toml.
"""

from __future__ import annotations

import re
import tomllib

import yaml

from .conftest import ROOT


def mkdocs_setting(key: str) -> str:
    """A top-level value from mkdocs.yml's text (the file may carry tags a plain YAML loader refuses)."""
    match = re.search(rf"^{key}:\s*(\S+)\s*$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
    assert match, f"mkdocs.yml has no {key}"
    return match.group(1)


def test_citation_file_has_what_cff_requires():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["message"] and cff["title"] and cff["type"] == "software"
    assert all("name" in a or "family-names" in a for a in cff["authors"])


def test_citation_file_matches_the_project_configuration():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["repository-code"] == mkdocs_setting("repo_url")
    assert cff["url"] == mkdocs_setting("site_url")
    assert cff["version"] == project["version"]
    licence = project["license"]
    assert cff["license"] == (licence["text"] if isinstance(licence, dict) else licence)
