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


#: SimpleMemory's three indexes, by their mangled attribute names: ``spo[s][p][o] = 1``,
#: ``pos[p][o][s] = 1``, ``osp[o][s][p] = 1``.
_INDEXES = ("_SimpleMemory__spo", "_SimpleMemory__pos", "_SimpleMemory__osp")


def add_graph(target: Graph, source: Graph) -> Graph:
    """Add ``source``'s statements to ``target`` (``target += source``) and return ``target``.

    The build copies graphs into unions some twenty thousand statements a build, and rdflib adds
    them one by one through three Python calls each. Between two graphs of the build's store
    the same statements are added by merging its three indexes a dictionary at a time (the
    innermost ones copied, never shared). Any other pair of graphs, or a later rdflib whose
    store keeps its indexes otherwise, is added by ``+=``.
    """
    into, other = target.store, source.store
    if type(into) is not CountingMemory or type(other) is not CountingMemory or into is other:
        target += source
        return target
    pairs = [(getattr(into, name, None), getattr(other, name, None)) for name in _INDEXES]
    if not all(isinstance(mine, dict) and isinstance(theirs, dict) for mine, theirs in pairs):
        target += source
        return target
    for mine, theirs in pairs:
        _merge_index(mine, theirs)
    return target


def _merge_index(into: dict, source: dict) -> None:
    """Merge one three-level index into another, copying the innermost dictionaries."""
    for first, seconds in source.items():
        have = into.get(first)
        if have is None:
            into[first] = {second: dict(thirds) for second, thirds in seconds.items()}
            continue
        for second, thirds in seconds.items():
            known = have.get(second)
            if known is None:
                have[second] = dict(thirds)
            else:
                known.update(thirds)


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
