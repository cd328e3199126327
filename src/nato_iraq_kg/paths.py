"""Where the project's files are, found from the package so commands work from any folder."""

from __future__ import annotations

import os
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
