"""The rdflib store of the build's graphs, and the ontology read into one.

Apart from :mod:`.graphs` so that the build reads the ontology before it imports the
extraction: the screen child (:mod:`.screen_worker`) is forked then, and shares the graph.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.plugins.stores.memory import SimpleMemory

from .. import paths


class CountingMemory(SimpleMemory):
    """rdflib's ``SimpleMemory`` whose ``len()`` adds up its index's sizes instead of counting.

    ``SimpleMemory`` counts its statements one by one through its generic pattern matcher, and
    a build asks the size of each of its 331 graphs several times (the shared union's freshness
    key, the summary): 1,700 counts of ten thousand statements in all, a tenth of extraction.
    The subject index holds each statement once (``spo[s][p][o]``), so the sum of its innermost
    sizes is the same number. Should a later rdflib rename that index, the count falls back to
    the store's own.
    """

    def __len__(self, context: object = None) -> int:
        index = getattr(self, "_SimpleMemory__spo", None)
        if not isinstance(index, dict):
            return super().__len__(context)  # type: ignore[arg-type]
        return sum(
            len(objects) for by_predicate in index.values() for objects in by_predicate.values()
        )


def new_graph() -> Graph:
    """Return an empty graph for the build, on rdflib's ``SimpleMemory`` store.

    The build makes some ten thousand statements in 331 small graphs and reads them back
    many times; rdflib's default store keeps, for every statement, the graphs it is in, which
    a plain graph never needs. ``SimpleMemory`` does not, and made extraction and writing about
    a third faster (the same statements and files). Its ``len()`` is :class:`CountingMemory`'s.
    Graphs made from these by ``+`` or ``-`` are rdflib's default again.
    """
    return Graph(store=CountingMemory())


def load_build_ontology(root: Path | None = None) -> Graph:
    """Return the ontology as the build reads it (see
    :func:`nato_iraq_kg.check.shapes.load_ontology_graph`), on the build's store."""
    from ..check.shapes import load_ontology_graph

    return load_ontology_graph(paths.ontology_file(root), new_graph())
