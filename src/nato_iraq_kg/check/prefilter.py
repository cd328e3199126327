"""Find, for each SPARQL constraint, the few focus nodes that can violate it, in one query each.

pyshacl runs a ``sh:sparql`` constraint once per focus node through rdflib's SPARQL engine: on our
graph that is about 3,000 small queries and two thirds of the whole validation, and it grows with
the data. Yet on valid data almost every one of those queries returns nothing. So before pyshacl
starts, each constraint is run once in Oxigraph over all its targets at once (``$this`` joined with
the shape's targets instead of pre-bound), which lists every focus node that has at least one
solution. pyshacl then still runs the real query (with its own semantics and its own messages) for
those nodes, and skips only nodes that are targets *and* had no solution here.

That keeps the results exactly pyshacl's as long as the batch query finds a superset of the
violating nodes. Joining ``$this`` with the targets gives the same solutions as pre-binding it for
patterns, filters, ``BIND``, ``OPTIONAL`` and ``EXISTS``; constructs where the two may differ
(subqueries, aggregates, ``LIMIT``/``OFFSET``, ``VALUES``, ``MINUS``, and ``DATATYPE`` and
``sameTerm``, as Oxigraph may store a literal under a more general datatype) are not prefiltered,
nor is a shape whose targets are not plain class, subject-of, object-of or node targets, nor a
property shape (whose query gets ``$PATH`` substituted). Anything that fails here (a term Oxigraph
will not load, a query it will not parse) turns the prefilter off for that constraint, never on;
and data whose typed literals Oxigraph would write differently (it keeps numbers and dates by
value, so a non-canonical ``"05"`` becomes ``"5"``) turns it off altogether.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

__all__ = ["Prefilter", "sparql_prefilters"]

SH = Namespace("http://www.w3.org/ns/shacl#")
OWL_CLASS = URIRef("http://www.w3.org/2002/07/owl#Class")

#: Constructs whose meaning changes when ``$this`` is joined rather than pre-bound.
_UNSAFE = re.compile(
    r"\b(GROUP\s+BY|HAVING|LIMIT|OFFSET|VALUES|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|"
    r"SERVICE|GRAPH|MINUS|DATATYPE|sameTerm)\b|\$(PATH|currentShape|shapesGraph|value)\b",
    re.IGNORECASE,
)
_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_WHERE_BRACE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


@dataclass(frozen=True)
class Prefilter:
    """The targets of one SPARQL constraint's shape, and those among them with any solution."""

    targets: frozenset[Node]
    candidates: frozenset[Node]

    def skips(self, focus: Node) -> bool:
        """Return True if the query for ``focus`` is known to have no solution."""
        return focus in self.targets and focus not in self.candidates


def _iri(term: Node) -> str | None:
    """Return an IRI as SPARQL text, or None for anything else (blank nodes, literals)."""
    if isinstance(term, URIRef) and not any(c in str(term) for c in '<>"{}|^`\\ '):
        return f"<{term}>"
    return None


def _target_pattern(shapes: Graph, shape: Node) -> str | None:
    """Return a SPARQL group binding ``?this`` to the shape's targets, or None if unsupported."""
    branches: list[str] = []
    classes = list(shapes.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL_CLASS) in shapes:
        classes.append(shape)  # an implicit class target
    for cls in classes:
        text = _iri(cls)
        if text is None:
            return None
        branches.append(f"{{ ?this <{RDF.type}>/<{RDFS.subClassOf}>* {text} }}")
    for predicate, template in (
        (SH.targetSubjectsOf, "{{ ?this {p} ?prefilterObject }}"),
        (SH.targetObjectsOf, "{{ ?prefilterSubject {p} ?this }}"),
    ):
        for prop in shapes.objects(shape, predicate):
            text = _iri(prop)
            if text is None:
                return None
            branches.append(template.format(p=text))
    for node in shapes.objects(shape, SH.targetNode):
        text = _iri(node)
        if text is None:
            return None
        branches.append(f"{{ BIND ({text} AS ?this) }}")
    if (shape, SH.target, None) in shapes or not branches:
        return None
    return " UNION ".join(branches)


def _prefixes(shapes: Graph, constraint: Node) -> dict[str, str]:
    """Return the prefixes a constraint declares through ``sh:prefixes`` / ``sh:declare``."""
    found: dict[str, str] = {}
    for holder in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                found[str(prefix)] = str(namespace)
    return found


def _batch_query(select: str, targets: str) -> str | None:
    """Rewrite a constraint's SELECT to list every target with a solution, or None if unsafe."""
    if _UNSAFE.search(select) or len(_SELECT.findall(select)) != 1:
        return None
    brace = _WHERE_BRACE.search(select)
    if brace is None:
        return None
    body = select[brace.end() :].replace("$this", "?this")
    return (
        f"SELECT DISTINCT ?this WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {targets} }} }} {body}"
    )


def _load(data: Graph) -> Any | None:
    """Copy ``data`` into an in-memory Oxigraph store; None if Oxigraph refuses a term."""
    import pyoxigraph

    store = pyoxigraph.Store()
    try:
        store.load(
            data.serialize(format="nt", encoding="utf-8"),
            format=pyoxigraph.RdfFormat.N_TRIPLES,
            lenient=True,
        )
    except (SyntaxError, ValueError, OSError):
        return None
    return store


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_TYPED_LITERALS = f"""
    SELECT DISTINCT ?o WHERE {{
        ?s ?p ?o . FILTER (isLiteral(?o) && LANG(?o) = "" && DATATYPE(?o) != <{_XSD_STRING}>)
    }}
"""


def _literals_kept(store: Any, data: Graph) -> bool:
    """Return True if Oxigraph holds every typed literal with the lexical form ``data`` has.

    Oxigraph stores numbers, dates and booleans by value and writes them back canonically
    (``"05"^^xsd:nonNegativeInteger`` becomes ``"5"^^xsd:integer``), so a constraint that reads a
    literal's text could find a violation in rdflib but not here: on such data the prefilter is
    not used at all. (The datatype alone may change, from a type derived from xsd:integer to
    xsd:integer: constraints that test datatypes or term identity are not prefiltered.)
    """
    ours = {
        str(o)
        for o in data.objects()
        if isinstance(o, Literal) and o.datatype is not None and str(o.datatype) != _XSD_STRING
    }
    theirs = {row["o"].value for row in store.query(_TYPED_LITERALS)}
    return ours == theirs


def _nodes(store: Any, query: str, prefixes: dict[str, str]) -> frozenset[Node] | None:
    """Return the IRIs bound to ``?this`` by ``query``; None if Oxigraph cannot run it."""
    import pyoxigraph

    try:
        rows = store.query(query, prefixes=prefixes)
        return frozenset(
            URIRef(row["this"].value)
            for row in rows
            if isinstance(row["this"], pyoxigraph.NamedNode)
        )
    except (SyntaxError, ValueError, OSError):
        return None


def sparql_prefilters(data: Graph, shapes: Graph) -> dict[str, Prefilter]:
    """Return, by ``sh:select`` text, which targets of each node shape's constraint can violate it.

    ``data`` must be the graph pyshacl will validate (with the ontology merged in), and
    ``shapes`` the shapes graph exactly as passed to pyshacl.
    """
    jobs: list[tuple[str, str, str, dict[str, str]]] = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        select = shapes.value(constraint, SH.select)
        if not isinstance(select, Literal) or (shape, SH.path, None) in shapes:
            continue
        targets = _target_pattern(shapes, shape)
        batch = _batch_query(str(select), targets) if targets is not None else None
        if targets is not None and batch is not None:
            jobs.append((str(select), targets, batch, _prefixes(shapes, constraint)))
    if not jobs:
        return {}
    store = _load(data)
    if store is None or not _literals_kept(store, data):
        return {}
    found: dict[str, Prefilter] = {}
    texts = [select for select, *_ in jobs]
    for select, targets, batch, prefixes in jobs:
        if texts.count(select) > 1:
            continue  # one text in two shapes: pyshacl's query does not say which shape asks
        every = _nodes(store, f"SELECT DISTINCT ?this WHERE {{ {targets} }}", prefixes)
        candidates = _nodes(store, batch, prefixes)
        if every is not None and candidates is not None:
            found[select] = Prefilter(every, candidates)
    return found
