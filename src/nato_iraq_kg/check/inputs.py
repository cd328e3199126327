"""Read RDF files a user names, strictly: a syntax error names the file, line and column.

Files are parsed once, by Oxigraph, a strict parser whose errors carry positions, after the checks
of :mod:`nato_iraq_kg.guard.rdf_input`; rdflib gets the parsed triples for SHACL validation
and never sees the text. Nothing is fetched: JSON-LD files must not use remote contexts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import Graph

from ..formats.registry import Syntax, syntax_of_file
from ..guard.rdf_input import MAX_INPUT_BYTES, is_gzip

# Imported here, not when the first file is read: a hostile-input test watches every file the
# reader opens, and a lazy import would open this module's source mid-read.
from .literal_ledger import LedgerBuilder, TypedLiteralNotes


class LoadedInput:
    """The data of the files: an Oxigraph store for SPARQL and the screen; rdflib when needed.

    The rdflib graph (for pySHACL, which only runs when the screen leaves a node to judge) is
    built on first use, by reading the files again: a million quads in rdflib take gigabytes and
    most of a minute, and valid data never needs them.
    """

    def __init__(self, store: Any, ledger: Any, paths: list[Path], limit: int | None) -> None:
        self.store = store
        self.ledger = ledger
        self._paths = paths
        self._limit = limit
        self._graph: Graph | None = None

    @property
    def graph(self) -> Graph:
        """Return the union of the files' triples as an rdflib graph (built once, on demand)."""
        if self._graph is None:
            from ..guard.rdf_input import iter_rdf_file, to_rdflib

            union = Graph()
            for path in self._paths:
                fmt = syntax_of_input(path).oxigraph_name
                union += to_rdflib(list(iter_rdf_file(path, fmt, self._limit)))
            self._graph = union
        return self._graph


def syntax_of_input(path: Path) -> Syntax:
    """Return the syntax of a file from its suffix; ``x.nq.gz`` is gzipped N-Quads."""
    return syntax_of_file(path.with_suffix("") if is_gzip(path) else path)


def load_inputs(paths: list[Path], limit: int | None = MAX_INPUT_BYTES) -> LoadedInput:
    """Parse every file strictly; fail on the first unusable one, naming its line and column.

    Each file goes through :func:`nato_iraq_kg.guard.rdf_input.iter_rdf_file` (size cap ``limit``
    on the file and on what a gzip file expands to, no DTDs, no remote contexts, bounded nesting,
    Oxigraph's strict parser). The store is a fresh one that the caller only gets once every file
    has parsed whole, so a bad file leaves no partial triples anywhere. Typed literals are noted
    on the way in (:mod:`.literal_ledger`), for the validation's screen.
    """
    import pyoxigraph

    from ..guard.rdf_input import LINE_FORMATS, iter_rdf_file, load_rdf_file

    store = pyoxigraph.Store()
    ledger = LedgerBuilder()
    for path in paths:
        oxigraph_format = syntax_of_input(path).oxigraph_name
        if oxigraph_format in LINE_FORMATS:  # the fast way: no Python object per quad
            notes = TypedLiteralNotes(ledger, oxigraph_format)  # noted while Oxigraph parses
            try:
                load_rdf_file(path, oxigraph_format, store, limit, notes)
            except BaseException:
                notes.stop()
                raise
            notes.finish()
            continue
        batch: list[Any] = []
        for quad in iter_rdf_file(path, oxigraph_format, limit):
            ledger.note(quad)
            batch.append(quad)
            if len(batch) >= _BATCH:
                store.extend(batch)
                batch.clear()
        store.extend(batch)
    return LoadedInput(store, ledger, list(paths), limit)


#: Quads handed to Oxigraph at a time while a file streams in.
_BATCH = 50_000
