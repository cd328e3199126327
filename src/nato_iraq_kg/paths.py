"""Where the project's files are, found from the package so commands work from any folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: The facts alone, and the whole dataset (facts, evidence, derived graphs), as built.
FACTS_FILE = "nato-iraq.ttl"
DATASET_FILE = "nato-iraq.trig"
#: The dataset's VoID/DCAT description.
VOID_FILE = "void.ttl"


def project_root() -> Path:
    """Return the project folder: ``$NATO_IRAQ_KG_ROOT`` if set, else the checkout of ``src/``."""
    override = os.environ.get("NATO_IRAQ_KG_ROOT")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[2]


def ontology_file(root: Path | None = None) -> Path:
    """Return the hand-edited OWL ontology."""
    return (root or project_root()) / "ontology" / "nato-iraq.ttl"


def shapes_file(root: Path | None = None) -> Path:
    """Return the SHACL shapes."""
    return (root or project_root()) / "ontology" / "shapes.ttl"


def source_dir(root: Path | None = None) -> Path:
    """Return the folder of source texts and their metadata."""
    return (root or project_root()) / "data" / "source"


def data_dir(root: Path | None = None) -> Path:
    """Return the folder the build writes to."""
    return (root or project_root()) / "data"


def install_command(extra: str) -> str:
    """Return the command that installs one of our extras into the Python running us now.

    A bare ``pip`` may belong to another Python, and ``nato-iraq-kg[extra]`` is on no package
    index: so the hint names this interpreter's pip and, from a checkout, the checkout itself
    (editable, as the Makefile installs it), shortened to relative paths under the current folder.
    """

    def shown(path: Path | str) -> str:
        relative = os.path.relpath(path)
        return relative if not relative.startswith("..") else str(path)

    python = shown(sys.executable)
    root = project_root()
    if (root / "pyproject.toml").is_file():
        target = shown(root)
        return f"{python} -m pip install -e '{target}[{extra}]'"
    return f"{python} -m pip install 'nato-iraq-kg[{extra}]'"
