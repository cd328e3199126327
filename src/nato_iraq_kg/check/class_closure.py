"""``sh:class`` as SPARQL that Oxigraph evaluates from the value, not from every typed node.

The plain translation of ``sh:class C`` for a value ``?v`` is ``EXISTS { ?v rdf:type/
rdfs:subClassOf* C }``. Oxigraph evaluates that path for every typed node of the store before
joining it with the few values being checked: 5 s for one check at a million quads, where the
values themselves take 0.1 s to list. The path means "one of ``?v``'s types is ``C`` or one of its
subclasses", and the subclasses are few and the same for every value: they are found once per class
(in the same store, so the data's own ``rdfs:subClassOf`` counts as before) and written into the
query as a list, which Oxigraph tests per value (0.2 s for that check).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ClassClosure"]

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"


class ClassClosure:
    """Each class's subclasses (itself included) in one store, found once, as SPARQL tests."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._found: dict[str, str | None] = {}

    def _members(self, cls: str) -> str | None:
        """Return ``cls`` and its subclasses as a SPARQL list; None if one is not an IRI."""
        if cls not in self._found:
            import pyoxigraph

            query = f"SELECT DISTINCT ?c WHERE {{ ?c {RDFS_SUBCLASS}* {cls} }}"
            rows = self._store.query(query, use_default_graph_as_union=True)
            members = {cls}
            listed: str | None = None
            for row in rows:
                if not isinstance(row["c"], pyoxigraph.NamedNode):
                    break  # a blank node cannot be written into a query: the path form is kept
                members.add(str(row["c"]))
            else:
                listed = ", ".join(sorted(members))
            self._found[cls] = listed
        return self._found[cls]

    def has_type(self, variable: str, cls: str) -> str:
        """Return a SPARQL expression true when ``variable`` is an instance of ``cls`` (an IRI).

        ``cls`` is SPARQL text (``<...>``). The answer equals that of
        ``EXISTS { variable rdf:type/rdfs:subClassOf* cls }`` on the store it was built from.
        """
        members = self._members(cls)
        if members is None:
            return f"EXISTS {{ {variable} {RDF_TYPE}/{RDFS_SUBCLASS}* {cls} }}"
        return f"EXISTS {{ {variable} {RDF_TYPE} ?screenType FILTER (?screenType IN ({members})) }}"
