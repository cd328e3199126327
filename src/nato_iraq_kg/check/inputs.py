"""Read RDF files a user names, strictly: a syntax error names the file, line and column.

Files are parsed once, by Oxigraph, a strict parser whose errors carry positions, after the checks
of :mod:`nato_iraq_kg.guard.rdf_input`; rdflib gets the parsed triples for SHACL validation
and never sees the text. Nothing is fetched: JSON-LD files must not use remote contexts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph

from ..formats.registry import syntax_of_file


@dataclass
class LoadedInput:
    """The same data twice: a store for SPARQL checks and an rdflib graph for SHACL."""

    store: Any
    graph: Graph


def load_inputs(paths: list[Path]) -> LoadedInput:
    """Parse every file strictly; fail on the first unusable one, naming its line and column.

    Each file goes through :func:`nato_iraq_kg.guard.rdf_input.read_rdf_file` (size cap, no DTDs, no
    remote contexts, bounded nesting, Oxigraph's strict parser) and is merged only once it has
    parsed whole, so a bad file leaves no partial triples behind.
    """
    import pyoxigraph

    from ..guard.rdf_input import read_rdf_file, to_rdflib

    store = pyoxigraph.Store()
    union = Graph()
    for path in paths:
        parsed = read_rdf_file(path, syntax_of_file(path).oxigraph_name)
        store.extend(parsed.quads)
        union += to_rdflib(parsed.quads)
    return LoadedInput(store, union)
