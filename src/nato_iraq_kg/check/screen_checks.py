"""Compile SHACL Core constraints into SPARQL checks over all of a shape's targets at once.

Each check lists the focus nodes that *may* fail one constraint (or all the value-level ones of
a property shape), for :mod:`.screen` to run: value checks once per distinct value, counts as
``NOT EXISTS`` or a ``GROUP BY``, pairs, qualified value shapes, ``sh:hasValue``. A construct this
module does not compile raises :class:`Unsupported`, and the screen then makes all of the shape's
targets candidates. (Split from :mod:`.screen`, which runs the checks and reads the answers.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .class_closure import ClassClosure
from .literal_ledger import STORED_AS as _STORED_AS
from .prefilter import SH, _iri

__all__ = [
    "NOT_CONSTRAINTS",
    "TARGETS",
    "Check",
    "Unsupported",
    "constraint_checks",
    "merged",
    "path_text",
    "term_text",
    "wrap_targets",
]

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
#: Shape terms that are not constraints (or are read with the constraint they belong to).
NOT_CONSTRAINTS = frozenset(
    {RDF.type, SH.path, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group}
    | {SH.property, SH.sparql, SH.deactivated, SH.prefixes, SH.declare, SH.defaultValue}
    | {SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount, *TARGETS}
)
_NODE_KINDS = {
    SH.IRI: "!isIRI(?v)",
    SH.BlankNode: "!isBlank(?v)",
    SH.Literal: "!isLiteral(?v)",
    SH.BlankNodeOrIRI: "isLiteral(?v)",
    SH.BlankNodeOrLiteral: "isIRI(?v)",
    SH.IRIOrLiteral: "isBlank(?v)",
}
_RANGES = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}


class Unsupported(Exception):
    """A constraint, path or target this module does not compile: its targets are candidates."""


@dataclass(frozen=True)
class Check:
    """One query listing the targets that may fail a constraint, and a cheaper one before it.

    ``guard``, when set, asks the same of every node of the store rather than of the targets
    (every value of a predicate, every subject's count): a superset, and no target set to
    compute. When it finds nothing, nothing can fail and ``query`` is not run. ``fatal``: a row
    sends the whole data to pySHACL (see :func:`_queries`). A check with ``absent`` set (and no
    query) fails the targets that have no match for that pattern (``sh:minCount 1``,
    ``sh:hasValue``): those of one shape are tested in one query, one pass over its targets.
    """

    query: str = ""
    fatal: bool = False
    guard: str | None = None
    absent: str | None = None
    #: For a qualified value shape: its value pattern and its failing count as a ``HAVING``
    #: condition, so that those of one shape on one path become one query (:func:`merged`).
    qualified: tuple[str, str] | None = None


def term_text(node: Node) -> str:
    """Return an IRI or literal of the shapes as SPARQL text."""
    if isinstance(node, Literal):
        return node.n3()
    text = _iri(node)
    if text is None:
        raise Unsupported(node)
    return text


def path_text(shapes: Graph, path: Node) -> tuple[str, set[str]]:
    """Return a SHACL path as a SPARQL property path, and the predicates it uses."""
    if isinstance(path, URIRef):
        text = term_text(path)
        return text, {f"<{path}>"}
    if (path, RDF.first, None) in shapes:
        parts = [path_text(shapes, step) for step in Collection(shapes, path)]
        return "(" + "/".join(t for t, _ in parts) + ")", set().union(*(p for _, p in parts))
    for predicate, template in (
        (SH.inversePath, "^({})"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = shapes.value(path, predicate)
        if inner is not None:
            text, used = path_text(shapes, inner)
            return template.format(text), used
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        parts = [path_text(shapes, step) for step in Collection(shapes, alternatives)]
        return "(" + "|".join(t for t, _ in parts) + ")", set().union(*(p for _, p in parts))
    raise Unsupported(path)


def _value_filter(shapes: Graph, closure: ClassClosure, predicate: Node, value: Node) -> str | None:
    """Return a SPARQL expression true when value node ``?v`` fails one value-level constraint.

    None for a constraint that is not about one value at a time (counts, pairs, patterns).
    """
    if predicate == SH["class"]:
        return f"!{closure.has_type('?v', term_text(value))}"
    if predicate == SH.datatype:
        stored = _STORED_AS.get(str(value), str(value))
        return f"!(isLiteral(?v) && DATATYPE(?v) = <{stored}>)"
    if predicate == SH.nodeKind:
        if value not in _NODE_KINDS:
            raise Unsupported(value)
        return _NODE_KINDS[value]
    if predicate == SH["in"]:
        members = list(Collection(shapes, value)) if value != RDF.nil else []
        return (
            "!(" + " || ".join(["false", *(f"sameTerm(?v, {term_text(m)})" for m in members)]) + ")"
        )
    if predicate == SH.languageIn:
        tags = [str(tag) for tag in Collection(shapes, value)]
        matches = " || ".join(
            ["false", *(f"langMatches(LANG(?v), {_sparql_string(t)})" for t in tags)]
        )
        return f'!(isLiteral(?v) && LANG(?v) != "" && ({matches}))'
    if predicate in (SH.minLength, SH.maxLength):
        operator = ">=" if predicate == SH.minLength else "<="
        return f"(isBlank(?v) || !COALESCE(STRLEN(STR(?v)) {operator} {int(value)}, false))"
    if predicate in _RANGES:
        return f"!COALESCE(?v {_RANGES[predicate]} {term_text(value)}, false)"
    return None


def _sparql_string(text: str) -> str:
    """Return ``text`` as a SPARQL string literal."""
    return Literal(text).n3()


def wrap_targets(targets: str, body: str, tail: str = "") -> str:
    """Return a query over every target, named ``?this``, with ``body`` after the targets."""
    return (
        f"SELECT DISTINCT ?this WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {targets} }} }} "
        f"{body} }} {tail}"
    )


def constraint_checks(
    shapes: Graph, closure: ClassClosure, shape: Node, targets: str, path: Node | None
) -> Iterator[Check]:
    """Yield queries that list the targets that may fail the constraints of one shape.

    Each comes with a flag: True for the ``sh:datatype`` checks, whose failures mean a literal of
    another type than the shapes expect. Engines compare such literals differently (rdflib and
    Oxigraph disagree on ``"20"`` against ``5``), so a SPARQL constraint elsewhere may judge it
    differently from pySHACL: then the whole data goes to pySHACL.
    """
    values = "BIND (?this AS ?v)"
    anywhere = None  # the path from any node, when it is one step (cheap to scan whole)
    if path is not None:
        sparql_path, _ = path_text(shapes, path)
        values = f"?this {sparql_path} ?v ."
        if isinstance(path, URIRef) or isinstance(shapes.value(path, SH.inversePath), URIRef):
            anywhere = f"?screenAny {sparql_path} ?v ."
    failing: list[str] = []  # value-level conditions, all checked in one query
    least: list[int] = []  # minimum and maximum counts of distinct values
    most: list[int] = []
    for predicate, value in shapes.predicate_objects(shape):
        if predicate in NOT_CONSTRAINTS or not str(predicate).startswith(str(SH)):
            continue  # only SHACL's own terms are constraints (custom components: see candidates)
        if predicate == SH.pattern:
            continue  # checked in Python, with the regular expressions pySHACL uses
        expression = _value_filter(shapes, closure, predicate, value)
        if predicate == SH.datatype and expression is not None:
            yield _by_value(targets, values, anywhere, f"COALESCE({expression}, true)", True)
        elif expression is not None:
            failing.append(f"COALESCE({expression}, true)")
        elif predicate == SH.minCount and path is not None:
            least.append(int(value))
        elif predicate == SH.maxCount and path is not None:
            most.append(int(value))
        elif predicate == SH.hasValue:
            if path is None:
                yield Check(wrap_targets(targets, f"FILTER (!sameTerm(?this, {term_text(value)}))"))
            else:
                sparql_path, _ = path_text(shapes, path)
                yield Check(
                    absent=f"?this {sparql_path} ?h FILTER (sameTerm(?h, {term_text(value)}))"
                )
        elif predicate in (SH.equals, SH.disjoint) and path is not None:
            other = f"?this {term_text(value)} ?v"
            if predicate == SH.disjoint:
                yield Check(wrap_targets(targets, f"{values} {other} ."))
            else:
                yield Check(
                    wrap_targets(targets, f"{{ {values} FILTER NOT EXISTS {{ {other} }} }}")
                )
                yield Check(
                    wrap_targets(targets, f"{{ {other} FILTER NOT EXISTS {{ {values} }} }}")
                )
        elif predicate == SH.uniqueLang and path is not None:
            if value.toPython() is True:
                other = values.replace("?v", "?w")
                unique = (
                    f'{values} {other} FILTER (!sameTerm(?v, ?w) && LANG(?v) != "" && '
                    "LCASE(LANG(?v)) = LCASE(LANG(?w)))"
                )
                yield Check(wrap_targets(targets, unique))
        elif predicate == SH.qualifiedValueShape and path is not None:
            yield _qualified(shapes, closure, shape, value, targets, values)
        elif predicate == SH.qualifiedValueShapesDisjoint and not value.toPython():
            continue
        else:
            raise Unsupported(predicate)
    if failing:
        yield _by_value(targets, values, anywhere, " || ".join(failing), False)
    yield from _counts(targets, values, anywhere, least, most)


def _counts(
    targets: str, values: str, anywhere: str | None, least: list[int], most: list[int]
) -> Iterator[Check]:
    """Yield the checks of ``sh:minCount`` and ``sh:maxCount``: too few values, too many.

    Too many is first asked of the predicate as a whole, without the targets: when it has as many
    subjects as triples (two counts, no grouping), no subject has two values. A minimum of one
    is a ``NOT EXISTS`` per target rather than a count.
    """
    if least and max(least) > 0:  # (a minimum of 0 never fails)
        if max(least) == 1:
            yield Check(absent=values)
        else:
            query = wrap_targets(
                targets,
                f"OPTIONAL {{ {values} }}",
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {max(least)})",
            )
            yield Check(
                query.replace("SELECT DISTINCT ?this WHERE { {", "SELECT ?this WHERE { {", 1)
            )
    if most:
        having = f"HAVING (COUNT(DISTINCT ?v) > {min(most)})"
        query = wrap_targets(targets, f"OPTIONAL {{ {values} }}", f"GROUP BY ?this {having}")
        guard = None
        if anywhere is not None:
            counts = "(COUNT(*) AS ?screenAll) (COUNT(DISTINCT ?screenAny) AS ?screenSubjects)"
            more = "?screenAll > ?screenSubjects" if min(most) > 0 else "?screenAll > 0"
            guard = (
                f"SELECT * WHERE {{ {{ SELECT {counts} WHERE {{ {anywhere} }} }} FILTER ({more}) }}"
            )
        yield Check(
            query.replace("SELECT DISTINCT ?this WHERE { {", "SELECT ?this WHERE { {", 1),
            guard=guard,
        )


def _by_value(targets: str, values: str, anywhere: str | None, failing: str, fatal: bool) -> Check:
    """Return a check for the targets with a value that fails ``failing``, tested once per value.

    A value-level test (``sh:class`` follows ``rdf:type/rdfs:subClassOf*``) depends on the value
    alone, and many targets share values (every piece of evidence names one of five methods):
    the distinct values are tested first, and only the failing ones are joined back to targets.
    When the path is one step, the guard first tests every value of it in the store, whoever
    holds it: on valid data none fails and the targets are never listed.
    """
    if values.startswith("BIND"):  # the focus node itself: it is its one value
        return Check(wrap_targets(targets, f"{values} FILTER ({failing})"), fatal)
    every = f"{{ SELECT DISTINCT ?this WHERE {{ {targets} }} }}"
    query = (
        f"SELECT DISTINCT ?this WHERE {{ "
        f"{{ SELECT DISTINCT ?v WHERE {{ {{ SELECT DISTINCT ?v WHERE {{ {every} {values} }} }} "
        f"FILTER ({failing}) }} }} {every} {values} }}"
    )
    guard = None
    if anywhere is not None:
        guard = (
            f"SELECT ?v WHERE {{ {{ SELECT DISTINCT ?v WHERE {{ {anywhere} }} }} "
            f"FILTER ({failing}) }} LIMIT 1"
        )
    return Check(query, fatal, guard)


def _qualified(
    shapes: Graph, closure: ClassClosure, shape: Node, inner: Node, targets: str, values: str
) -> Check:
    """Return the check of a qualified value shape made of value-level constraints only."""
    if (shape, SH.qualifiedValueShapesDisjoint, Literal(True)) in shapes:
        raise Unsupported(shape)
    failing = []
    for predicate, value in shapes.predicate_objects(inner):
        if predicate in NOT_CONSTRAINTS or not str(predicate).startswith(str(SH)):
            continue
        if predicate in (SH.property, SH.sparql, *TARGETS):
            raise Unsupported(predicate)
        expression = _value_filter(shapes, closure, predicate, value)
        if expression is None:
            raise Unsupported(predicate)
        failing.append(expression)
    least = shapes.value(shape, SH.qualifiedMinCount)
    most = shapes.value(shape, SH.qualifiedMaxCount)
    conforms = " || ".join(["false", *failing])
    # As a count over all values: the value when it conforms; else unbound, which COUNT skips
    # (as it skips an error in the test, which the filter below drops too).
    counted = f"COUNT(DISTINCT IF(!({conforms}), ?v, ?screenNone))"
    bounds, counted_bounds = [], []
    if least is not None:
        bounds.append(f"COUNT(DISTINCT ?v) < {int(least)}")
        counted_bounds.append(f"{counted} < {int(least)}")
    if most is not None:
        bounds.append(f"COUNT(DISTINCT ?v) > {int(most)}")
        counted_bounds.append(f"{counted} > {int(most)}")
    query = wrap_targets(
        targets,
        f"OPTIONAL {{ {values} FILTER (!({conforms})) }}",
        f"GROUP BY ?this HAVING ({' || '.join(bounds) or 'false'})",
    )
    query = query.replace("SELECT DISTINCT ?this WHERE { {", "SELECT ?this WHERE { {", 1)
    return Check(query, qualified=(values, f"({' || '.join(counted_bounds) or 'false'})"))


def merged(targets: str, checks: list[Check]) -> list[Check]:
    """Return ``checks`` with the qualified value shapes of one path made one query.

    Our target shape has two on ``oa:hasSelector`` (one quote selector, one position selector):
    the same targets and values, grouped twice (0.4 s each at a million quads). Counted in one
    pass, each with ``COUNT(DISTINCT IF(...))``, a target is listed when any count is out of its
    bounds, as it is by either query alone. A path with one such shape keeps its own query.
    """
    groups: dict[str, list[Check]] = {}
    for check in checks:
        if check.qualified is not None:
            groups.setdefault(check.qualified[0], []).append(check)
    kept = [c for c in checks if c.qualified is None or len(groups[c.qualified[0]]) == 1]
    for values, group in groups.items():
        if len(group) > 1:
            having = " || ".join(c.qualified[1] for c in group if c.qualified is not None)
            query = wrap_targets(
                targets, f"OPTIONAL {{ {values} }}", f"GROUP BY ?this HAVING ({having})"
            )
            kept.append(
                Check(query.replace("SELECT DISTINCT ?this WHERE { {", "SELECT ?this WHERE { {", 1))
            )
    return kept
