"""Every path the project reads or writes, in one place.

Tests and forks point these elsewhere by passing a different root rather than
by changing the working directory, so nothing depends on where a command runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Paths:
    root: Path = ROOT

    @property
    def datapackages(self) -> Path:
        return self.root / "datapackages"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

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
