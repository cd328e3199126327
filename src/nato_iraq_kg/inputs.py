"""Read RDF files a user names, strictly: a syntax error names the file, line and column.

Files are first parsed by Oxigraph, a strict parser whose errors carry positions, then handed to
rdflib for SHACL validation. Nothing is fetched: JSON-LD files must not use remote contexts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from .errors import InputError

#: File suffix -> (pyoxigraph format name, rdflib format name)
FORMATS = {
    ".ttl": ("TURTLE", "turtle"),
    ".nt": ("N_TRIPLES", "nt"),
    ".nq": ("N_QUADS", "nquads"),
    ".trig": ("TRIG", "trig"),
    ".rdf": ("RDF_XML", "xml"),
    ".owl": ("RDF_XML", "xml"),
    ".xml": ("RDF_XML", "xml"),
    ".jsonld": ("JSON_LD", "json-ld"),
}


@dataclass
class LoadedInput:
    """The same data twice: a store for SPARQL checks and an rdflib graph for SHACL."""

    store: Any
    graph: Graph


def format_of(path: Path) -> tuple[str, str]:
    """Return the (Oxigraph, rdflib) format names for a file, from its suffix."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise InputError(f"{path}: unknown RDF file type {path.suffix!r} (use {known})") from None


def load_inputs(paths: list[Path]) -> LoadedInput:
    """Parse every file strictly; fail on the first unusable one, naming its line and column."""
    import pyoxigraph

    store = pyoxigraph.Store()
    union = Graph()
    for path in paths:
        oxigraph_format, rdflib_format = format_of(path)
        if not path.is_file():
            raise InputError(f"{path}: file not found")
        try:
            store.load(path=str(path), format=getattr(pyoxigraph.RdfFormat, oxigraph_format))
        except SyntaxError as exc:
            where = f"line {exc.lineno}, column {exc.offset}" if exc.lineno else "unknown place"
            message = " ".join(str(exc.msg).split())
            raise InputError(f"{path}: syntax error at {where}: {message}") from exc
        except (ValueError, OSError) as exc:
            raise InputError(f"{path}: cannot read: {exc}") from exc
        dataset = Dataset()
        dataset.parse(path, format=rdflib_format)
        for s, p, o, _ in dataset.quads():
            union.add((s, p, o))
    return LoadedInput(store, union)
