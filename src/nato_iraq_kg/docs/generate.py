"""Ontology documentation: one self-contained HTML page and a Graphviz diagram of the main classes.

``write_docs`` reads the hand-edited ontology and the generated facts and writes three files:

* ``ontology.html``: every class and property of the ontology with its label, definition,
  superclasses or superproperties (the alignments to schema.org, ORG, SEM, PROV-O, OWL-Time,
  SKOS...), domain and range, and an example taken from the data: one instance for a class, one
  triple for a property. Styles are inline; the page loads nothing from the network.
* ``ontology-diagram.dot``: the main classes, their subclass links and the object properties
  between them (domain to range where the ontology declares them, else the pairs the data uses).
* ``ontology-diagram.svg``: that diagram rendered by Graphviz ``dot`` (Debian package
  ``graphviz``).

Everything is sorted and nothing carries a timestamp or a local path, so two runs on the same
inputs write the same bytes. pyLODE was tried first and not used: the release on PyPI fails on
import (it reads a ``pyproject.toml`` that its wheel does not ship), and it has no way to show
examples from the data.

This module is the entry point only; the work is split by job into :mod:`.model` (reading
the inputs, names, labels and examples), :mod:`.html` (the page) and :mod:`.diagram`
(the diagram). The names callers used from here are re-exported.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph

from .diagram import MAIN_CLASSES, render_dot, render_svg
from .html import render_html
from .model import DOT_NAME, HTML_NAME, SVG_NAME, load_example_data, ontology_terms

__all__ = [
    "DOT_NAME",
    "HTML_NAME",
    "MAIN_CLASSES",
    "SVG_NAME",
    "load_example_data",
    "main",
    "ontology_terms",
    "render_dot",
    "render_html",
    "render_svg",
    "write_docs",
]


def _default_mapping(ontology: Path) -> Path | None:
    """The CAMEO mapping that lies beside the ontology, if any."""
    candidate = ontology.parent / "cameo.ttl"
    return candidate if candidate.exists() else None


def _write(path: Path, content: bytes) -> Path:
    """Write ``content`` only when it differs, so unchanged files keep their mtime."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != content:
        path.write_bytes(content)
    return path


def write_docs(
    ontology: Path, data: Path, out_dir: Path, *, mapping: Path | None = None
) -> list[Path]:
    """Write the documentation page, the diagram source and the SVG diagram; return their paths.

    ``mapping`` is the CAMEO mapping shown on event classes; by default ``cameo.ttl`` beside the
    ontology, when it exists. Raises ``RuntimeError`` naming the Debian package ``graphviz`` when
    the ``dot`` program is missing (the HTML and ``.dot`` files are written first).
    """
    onto = Graph().parse(ontology)
    examples = load_example_data(data)
    mapping_path = mapping if mapping is not None else _default_mapping(ontology)
    mapping_graph = Graph().parse(mapping_path) if mapping_path is not None else None
    page = render_html(
        onto,
        examples,
        mapping_graph,
        ontology_name=ontology.name,
        data_name=data.name,
        dataset_name=data.with_suffix(".trig").name,
    )
    diagram_data = examples.primary + examples.secondary
    dot_source = render_dot(onto, diagram_data)
    written = [
        _write(out_dir / HTML_NAME, page.encode("utf-8")),
        _write(out_dir / DOT_NAME, dot_source.encode("utf-8")),
    ]
    written.append(_write(out_dir / SVG_NAME, render_svg(dot_source)))
    return written


def main(argv: list[str] | None = None) -> int:
    """Regenerate ``docs/`` from the project's files: ``python -m nato_iraq_kg.docs``."""
    from ..errors import KGError
    from ..paths import project_root, require_checkout

    del argv
    try:
        require_checkout("regenerating docs/")
    except KGError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    root = project_root()
    paths = (root / "ontology" / "nato-iraq.ttl", root / "data" / "nato-iraq.ttl", root / "docs")
    for path in write_docs(*paths):
        print(path)
    return 0
