"""Every path the project reads or writes, in one place.

Tests and forks point these elsewhere by passing a different root rather than
by changing the working directory, so nothing depends on where a command runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _below_root(name: str) -> property:
    """A path of the project, `name` below its root."""
    return property(lambda paths: paths.root / name, doc=f"root / {name!r}")


@dataclass(frozen=True)
class Paths:
    root: Path = ROOT

    datapackages = _below_root("datapackages")
    docs = _below_root("docs")
    site = _below_root("site")
    mkdocs_yml = _below_root("mkdocs.yml")

    def default_package(self) -> Path:
        """The package to build when none is named: the only one in datapackages/."""
        found = sorted(self.datapackages.glob("*/datapackage.json"))
        if len(found) != 1:
            names = ", ".join(p.parent.name for p in found) or "none"
            raise LookupError(
                f"{self.datapackages}: expected exactly one data package, found {names}"
                " — name one with --package PATH"
            )
        if found[0].parent.is_symlink():  # a folder that a pull request can point anywhere on the machine
            raise LookupError(
                f"{found[0].parent}: is a symbolic link, not a folder — put the package itself in datapackages/"
            )
        return found[0]
