"""Build hook: copy the released files into the wheel, with a SHA-256 manifest.

Git keeps one copy of ``data/``, ``ontology/`` and ``queries/`` at the top of the checkout. At
wheel-build time this hook copies them (and the release notes) into
``nato_iraq_kg/_release/``, where :mod:`nato_iraq_kg.paths` finds them through
``importlib.resources`` when no checkout is around. An editable install copies nothing: it finds
the checkout itself. Everything else is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: Folders copied whole, and single files, relative to the checkout (the sdist has the same).
RELEASED_FOLDERS = ("data", "ontology", "queries")
RELEASED_FILES = ("docs/ontology.html", "CHANGELOG.md", "CITATION.cff", "LICENSE")
PACKAGED = Path("nato_iraq_kg") / "_release"
MANIFEST = "MANIFEST.sha256"
SKIPPED = ("__pycache__", ".tmp", ".pyc")


def released_files(root: Path) -> list[Path]:
    """Return every file to ship, relative to ``root``, in a stable order."""
    found = [Path(name) for name in RELEASED_FILES]
    for folder in RELEASED_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            relative = path.relative_to(root)
            hidden = any(part.startswith(".") for part in relative.parts)
            if path.is_file() and not hidden and not str(relative).endswith(SKIPPED):
                found.append(relative)
    missing = [str(name) for name in found if not (root / name).is_file()]
    if missing:
        raise SystemExit(f"error: the release lacks {', '.join(missing)}; build from a checkout")
    return sorted(found)


class BuildPyWithRelease(build_py):
    """``build_py`` that also lays the released files and their manifest into the package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / PACKAGED
        shutil.rmtree(target, ignore_errors=True)
        lines = []
        for relative in released_files(HERE):
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(HERE / relative, destination)
            digest = hashlib.sha256(destination.read_bytes()).hexdigest()
            lines.append(f"{digest}  {relative.as_posix()}\n")
        (target / MANIFEST).write_text("".join(lines), encoding="utf-8")


setup(cmdclass={"build_py": BuildPyWithRelease})
