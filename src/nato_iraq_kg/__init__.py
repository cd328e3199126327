"""nato-iraq-kg: a knowledge graph of NATO's "Relations with Iraq" page, each fact with evidence.

The Python API mirrors the command line::

    from nato_iraq_kg import load_graph, query
    store = load_graph()                       # the built dataset, in an embedded Oxigraph store
    rows = query("SELECT ?l WHERE { actor:nato rdfs:label ?l }", store)

Imports are lazy so that ``nato-iraq-kg --help`` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"
__all__ = ["__version__", "load_graph", "query"]

if TYPE_CHECKING:
    from pathlib import Path


def load_graph(path: Path | None = None) -> Any:
    """Load the built dataset into an embedded Oxigraph store (see :mod:`.sparql.local`)."""
    from .sparql.local import load_graph as _load

    return _load(path)


def query(sparql: str, store: Any | None = None) -> Any:
    """Answer a query (text, a ``.rq`` path, or a competency-question name).

    Returns a list of ``{variable: value}`` dicts for SELECT (values as plain text, ``None`` when
    unbound), a bool for ASK, and an rdflib Graph for CONSTRUCT/DESCRIBE.
    """
    from pathlib import Path

    from rdflib import Graph

    from .sparql.local import resolve_query, run

    text = sparql
    if "\n" not in sparql and (sparql.endswith(".rq") or sparql[:2].isdigit()):
        text = resolve_query(sparql).read_text(encoding="utf-8")
    elif "\n" not in sparql and Path(sparql).suffix == ".rq":
        text = Path(sparql).read_text(encoding="utf-8")
    outcome = run(store if store is not None else load_graph(), text)
    if outcome.kind == "ask":
        return outcome.boolean
    if outcome.kind == "graph":
        return Graph().parse(data=outcome.ntriples, format="nt")
    return [
        {v: (None if t is None else t.value) for v, t in zip(outcome.variables, row, strict=True)}
        for row in outcome.rows
    ]
