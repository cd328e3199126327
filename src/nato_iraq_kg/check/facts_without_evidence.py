"""The fact-without-evidence quality check, answered from the store's list of named graphs.

``queries/qc/fact-without-evidence-violation.rq`` is the check as people read it: every named
graph under ``id/assertion/`` that holds a triple and that no ``oa:hasBody`` (in any graph)
points at. Oxigraph answers it by walking every quad of every named graph (a million at a
million quads) and making each graph name's text: 0.8 to 1.7 s of CPU.

Oxigraph keeps the names of its graphs apart, so here they are listed once (about 33,000 at a
million quads), the bodies come from the ``oa:hasBody`` index as one set, and only a graph
that no body names is looked into, to see that it holds a triple: about 0.2 s. It stands in
for the query only while the query's text is the one it was checked against
(:data:`STANDS_IN_FOR`); ``tests/test_facts_without_evidence.py`` compares the two answers.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pyoxigraph

__all__ = ["CHECK", "STANDS_IN_FOR", "facts_without_evidence", "stands_in_for"]

#: The quality check's name (its file's stem).
CHECK = "fact-without-evidence-violation"
#: SHA-256 of the query text this module answers (``queries/qc/<CHECK>.rq``).
STANDS_IN_FOR = "5218125f1095f95e0a87bd6deab314a9d190a0c3fc411dd3bbee209d88a84c5a"

ASSERTIONS = "https://w3id.org/nato-iraq-kg/id/assertion/"
_HAS_BODY = pyoxigraph.NamedNode("http://www.w3.org/ns/oa#hasBody")
_NAMED_NODE = pyoxigraph.NamedNode


def stands_in_for(query: str) -> bool:
    """True when ``query`` is the exact text this module answers."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest() == STANDS_IN_FOR


def facts_without_evidence(store: Any) -> list[Any]:
    """Return the check's answer on ``store``: the assertion graphs, as ``NamedNode``, sorted."""
    graphs = [
        graph
        for graph in store.named_graphs()
        if graph.__class__ is _NAMED_NODE and graph.value.startswith(ASSERTIONS)
    ]
    if not graphs:
        return []
    bodies = {quad.object for quad in store.quads_for_pattern(None, _HAS_BODY, None, None)}
    return sorted(
        (
            graph
            for graph in graphs
            if graph not in bodies
            and any(True for _ in store.quads_for_pattern(None, None, None, graph))
        ),
        key=lambda graph: graph.value,
    )
