"""Remember the SHACL results of a build's exact output, so an unchanged build skips pyshacl.

SHACL validation is most of a build's time, and most builds validate exactly what the last one
did (the same sources give byte-identical dumps). The results are a pure function of what is
validated and of what validates it, so they are stored under a digest of all of it: every rendered
file, the shapes, the ontology, the source of the validation code and the pyshacl and rdflib
versions. Any change to any of these is a different key and a fresh validation; nothing is ever
looked up by file name or date. The cache lives in ``.cache/validation/`` in the project (not in
``data/``, which holds only what the build writes) and keeps only the latest entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path

from rdflib import Graph

from .. import paths
from .shapes import ValidationReport, ValidationResult

#: The modules whose code decides the results, besides pyshacl and rdflib themselves.
CODE_FILES = (
    "shapes.py",
    "prefilter.py",
    "screen.py",
    "screened.py",
    "literal_ledger.py",
    "class_closure.py",
)


def default_folder(root: Path | None = None) -> Path:
    """Return the project's cache folder for validation results."""
    return (root or paths.project_root()) / ".cache" / "validation"


def cache_key(files: dict[str, str], root: Path | None = None) -> str:
    """Return a digest of everything that decides the validation of ``files``."""
    digest = hashlib.sha256()

    def part(data: bytes) -> None:
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)

    for name in sorted(files):
        part(name.encode("utf-8"))
        part(files[name].encode("utf-8"))
    part(paths.shapes_file(root).read_bytes())
    part(paths.ontology_file(root).read_bytes())
    package = Path(__file__).parent
    for name in CODE_FILES:
        part((package / name).read_bytes())
    part(f"pyshacl {version('pyshacl')} rdflib {version('rdflib')}".encode())
    return digest.hexdigest()


def load(key: str, folder: Path) -> ValidationReport | None:
    """Return the stored report for ``key`` (without pyshacl's report graph), or None."""
    path = folder / f"{key}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        results = tuple(ValidationResult(**item) for item in stored["results"])
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return ValidationReport(bool(stored["conforms"]), results, Graph())


def store(key: str, report: ValidationReport, folder: Path) -> None:
    """Store a report under ``key``, replacing older entries (an unwritable cache is not used)."""
    from ..formats.turtle import write_atomically

    document = {"conforms": report.conforms, "results": [asdict(r) for r in report.results]}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            old.unlink(missing_ok=True)
        write_atomically(folder / f"{key}.json", json.dumps(document, indent=1) + "\n")
    except OSError:
        return
