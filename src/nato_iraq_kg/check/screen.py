"""Find the few focus nodes that can fail the shapes: one SPARQL query per constraint, in Oxigraph.

pySHACL walks rdflib's store node by node and constraint by constraint: about 1 s on our graph,
minutes at a million triples, and building the rdflib graph costs as much again. But on valid
data no node fails. So every SHACL Core constraint of the shapes is compiled into one query that
lists, over all the shape's targets at once, each focus node that *may* fail it (after Corman et
al., "Validating SHACL constraints over a SPARQL endpoint", ISWC 2019); SPARQL constraints are run
the same way (:mod:`.prefilter`). pySHACL then validates just those nodes (its ``focus_nodes``)
and gives the results, messages and all; with none, the data conforms and pySHACL never runs.

The results stay pySHACL's as long as the queries find a superset of the failing nodes, so every
doubt widens the set: a constraint or target this module does not compile makes all of its shape's
targets candidates; literals the store misreports (:mod:`.literal_ledger`) make their subjects
candidates for the constraints they could fool; and :func:`candidates` returns None (validate
everything) when a candidate is not an IRI (pySHACL's ``focus_nodes`` only takes IRIs), when a
literal's text changed in the store, or when a query fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .class_closure import ClassClosure
from .literal_ledger import STORED_AS as _STORED_AS
from .literal_ledger import Ledger
from .prefilter import SH, _batch_query, _iri, _prefixes, _target_pattern

__all__ = ["candidates"]

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


def _term(node: Node) -> str:
    """Return an IRI or literal of the shapes as SPARQL text."""
    if isinstance(node, Literal):
        return node.n3()
    text = _iri(node)
    if text is None:
        raise Unsupported(node)
    return text


def _path(shapes: Graph, path: Node) -> tuple[str, set[str]]:
    """Return a SHACL path as a SPARQL property path, and the predicates it uses."""
    if isinstance(path, URIRef):
        text = _term(path)
        return text, {f"<{path}>"}
    if (path, RDF.first, None) in shapes:
        parts = [_path(shapes, step) for step in Collection(shapes, path)]
        return "(" + "/".join(t for t, _ in parts) + ")", set().union(*(p for _, p in parts))
    for predicate, template in (
        (SH.inversePath, "^({})"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = shapes.value(path, predicate)
        if inner is not None:
            text, used = _path(shapes, inner)
            return template.format(text), used
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        parts = [_path(shapes, step) for step in Collection(shapes, alternatives)]
        return "(" + "|".join(t for t, _ in parts) + ")", set().union(*(p for _, p in parts))
    raise Unsupported(path)


def _value_filter(shapes: Graph, closure: ClassClosure, predicate: Node, value: Node) -> str | None:
    """Return a SPARQL expression true when value node ``?v`` fails one value-level constraint.

    None for a constraint that is not about one value at a time (counts, pairs, patterns).
    """
    if predicate == SH["class"]:
        return f"!{closure.has_type('?v', _term(value))}"
    if predicate == SH.datatype:
        stored = _STORED_AS.get(str(value), str(value))
        return f"!(isLiteral(?v) && DATATYPE(?v) = <{stored}>)"
    if predicate == SH.nodeKind:
        if value not in _NODE_KINDS:
            raise Unsupported(value)
        return _NODE_KINDS[value]
    if predicate == SH["in"]:
        members = list(Collection(shapes, value)) if value != RDF.nil else []
        return "!(" + " || ".join(["false", *(f"sameTerm(?v, {_term(m)})" for m in members)]) + ")"
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
        return f"!COALESCE(?v {_RANGES[predicate]} {_term(value)}, false)"
    return None


def _sparql_string(text: str) -> str:
    """Return ``text`` as a SPARQL string literal."""
    return Literal(text).n3()


def _wrap(targets: str, body: str, tail: str = "") -> str:
    """Return a query over every target, named ``?this``, with ``body`` after the targets."""
    return (
        f"SELECT DISTINCT ?this WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {targets} }} }} "
        f"{body} }} {tail}"
    )


def _queries(
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
        sparql_path, _ = _path(shapes, path)
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
                yield Check(_wrap(targets, f"FILTER (!sameTerm(?this, {_term(value)}))"))
            else:
                sparql_path, _ = _path(shapes, path)
                yield Check(absent=f"?this {sparql_path} ?h FILTER (sameTerm(?h, {_term(value)}))")
        elif predicate in (SH.equals, SH.disjoint) and path is not None:
            other = f"?this {_term(value)} ?v"
            if predicate == SH.disjoint:
                yield Check(_wrap(targets, f"{values} {other} ."))
            else:
                yield Check(_wrap(targets, f"{{ {values} FILTER NOT EXISTS {{ {other} }} }}"))
                yield Check(_wrap(targets, f"{{ {other} FILTER NOT EXISTS {{ {values} }} }}"))
        elif predicate == SH.uniqueLang and path is not None:
            if value.toPython() is True:
                other = values.replace("?v", "?w")
                unique = (
                    f'{values} {other} FILTER (!sameTerm(?v, ?w) && LANG(?v) != "" && '
                    "LCASE(LANG(?v)) = LCASE(LANG(?w)))"
                )
                yield Check(_wrap(targets, unique))
        elif predicate == SH.qualifiedValueShape and path is not None:
            yield Check(_qualified(shapes, closure, shape, value, targets, values))
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
            query = _wrap(
                targets,
                f"OPTIONAL {{ {values} }}",
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {max(least)})",
            )
            yield Check(
                query.replace("SELECT DISTINCT ?this WHERE { {", "SELECT ?this WHERE { {", 1)
            )
    if most:
        having = f"HAVING (COUNT(DISTINCT ?v) > {min(most)})"
        query = _wrap(targets, f"OPTIONAL {{ {values} }}", f"GROUP BY ?this {having}")
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
        return Check(_wrap(targets, f"{values} FILTER ({failing})"), fatal)
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
) -> str:
    """Return the query for a qualified value shape made of value-level constraints only."""
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
    bounds = []
    if least is not None:
        bounds.append(f"COUNT(DISTINCT ?v) < {int(least)}")
    if most is not None:
        bounds.append(f"COUNT(DISTINCT ?v) > {int(most)}")
    conforms = " || ".join(["false", *failing])
    query = _wrap(
        targets,
        f"OPTIONAL {{ {values} FILTER (!({conforms})) }}",
        f"GROUP BY ?this HAVING ({' || '.join(bounds) or 'false'})",
    )
    return query.replace("SELECT DISTINCT ?this WHERE { {", "SELECT ?this WHERE { {", 1)


def _pattern_failures(store: Any, shapes: Graph, shape: Node, targets: str, values: str) -> set:
    """Return the targets with a value that fails a ``sh:pattern``, matched as pySHACL does."""
    import pyoxigraph

    flags = 0
    for flag_text in shapes.objects(shape, SH.flags):
        text = str(flag_text).lower()
        flags |= (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
        break
    matchers = [re.compile(str(p), flags) for p in shapes.objects(shape, SH.pattern)]
    found = set()
    query = (
        f"SELECT DISTINCT ?this ?v WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {targets} }} }} "
        f"{values} }}"
    )
    for row in store.query(query, use_default_graph_as_union=True):
        value = row["v"]
        if isinstance(value, pyoxigraph.BlankNode) or not all(
            m.search(value.value) for m in matchers
        ):
            found.add(row["this"])
    return found


def _shapes_with_targets(shapes: Graph) -> set[Node]:
    """Return every shape that has targets of its own (explicit, or as a class)."""
    found = {s for predicate in TARGETS for s in shapes.subjects(predicate, None)}
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, kind):
            if _target_pattern(shapes, shape) is not None:
                found.add(shape)
    return found


def _ledger_pairs(
    ledger: Ledger, shapes: Graph, shape: Node, path: Node
) -> tuple[set[str], set[str]]:
    """Return the subjects (N-Triples) whose literals may fool one property shape's queries.

    The second set holds those whose literal has another datatype than the shape's
    ``sh:datatype``, which the store cannot show (``xsd:integer`` for ``nonNegativeInteger``).
    """
    if not isinstance(path, URIRef):
        _, used = _path(shapes, path)
        if used & ledger.predicates():
            raise Unsupported(path)
        return set(), set()
    predicate = f"<{path}>"
    subjects: set[str] = set()
    mistyped: set[str] = set()
    predicates = set(shapes.predicates(shape, None))
    changed = ledger.changed_on(predicate)
    for datatype in shapes.objects(shape, SH.datatype):
        mistyped |= {s for s, types in changed if types - {str(datatype)}}
    members = [m for listed in shapes.objects(shape, SH["in"]) for m in Collection(shapes, listed)]
    members += list(shapes.objects(shape, SH.hasValue))
    member_types = {str(m.datatype) for m in members if isinstance(m, Literal) and m.datatype}
    for s, types in changed if member_types else ():
        # The store mistakes a literal for a listed one only if both are stored as one type.
        if any(
            _STORED_AS.get(t, t) == _STORED_AS.get(m, m) and t != m
            for t in types
            for m in member_types
        ):
            subjects.add(s)
    if predicates & {SH.equals, SH.disjoint, SH.qualifiedValueShape}:
        others = {f"<{o}>" for o in shapes.objects(shape, SH.equals)}
        others |= {f"<{o}>" for o in shapes.objects(shape, SH.disjoint)}
        for other in (predicate, *others):
            subjects |= {s for s, _ in ledger.changed_on(other)}
    if predicates & {SH.minCount, SH.maxCount, SH.qualifiedValueShape}:
        subjects |= {s for s, p in ledger.collapsed if p == predicate}
    return subjects, mistyped


def candidates(store: Any, shapes: Graph, ledger: Ledger) -> set[Node] | None:
    """Return the focus nodes that may fail a shape (rdflib IRIs), or None to validate all.

    ``store`` holds the data and the ontology (named graphs are read as one union); ``ledger``
    says which of its literals it misreports.
    """
    if ledger.text_changed or (None, RDF.type, SH.ConstraintComponent) in shapes:
        return None  # literals Oxigraph rewrote, or constraint components of the user's own
    if ledger.ill_typed:
        return None  # engines disagree on ill-typed literals: pySHACL judges everything
    found: set[str] = set()
    closure = ClassClosure(store)
    # (a check, the query for all its shape's targets)
    queries: list[tuple[Check, str]] = []
    for shape in _shapes_with_targets(shapes):
        if (shape, SH.deactivated, Literal(True)) in shapes:
            continue
        targets = _target_pattern(shapes, shape)
        if targets is None:
            return None
        every = _wrap(targets, "")
        try:
            if {f"<{p}>" for p in shapes.objects(shape, SH.targetObjectsOf)} & ledger.predicates():
                raise Unsupported(shape)  # a literal focus node the store may misreport
            own_path = shapes.value(shape, SH.path)
            checks = list(_queries(shapes, closure, shape, targets, own_path))
            parts = [(shape, own_path)]
            for member in shapes.objects(shape, SH.property):
                if (member, SH.deactivated, Literal(True)) in shapes:
                    continue
                member_path = shapes.value(member, SH.path)
                if member_path is None:
                    raise Unsupported(member)
                checks.extend(_queries(shapes, closure, member, targets, member_path))
                parts.append((member, member_path))
            queries.extend((c, every) for c in checks if c.absent is None)
            absent = [f"NOT EXISTS {{ {c.absent} }}" for c in checks if c.absent is not None]
            if absent:
                queries.append((Check(_wrap(targets, f"FILTER ({' || '.join(absent)})")), every))
            suspects: set[str] = set()
            mistyped: set[str] = set()
            for part, path in parts:
                if path is not None:
                    fooled, wrong_type = _ledger_pairs(ledger, shapes, part, path)
                    suspects |= fooled
                    mistyped |= wrong_type
                if (part, SH.pattern, None) in shapes:
                    values = "BIND (?this AS ?v)"
                    if path is not None:
                        values = f"?this {_path(shapes, path)[0]} ?v ."
                    failing = _pattern_failures(store, shapes, part, targets, values)
                    found |= {str(node) for node in failing}
            for listed, fatal in ((suspects, False), (mistyped, True)):
                if listed:  # those among the shape's own targets
                    nodes = " ".join(sorted(listed))
                    queries.append(
                        (Check(_wrap(targets, f"VALUES ?this {{ {nodes} }}"), fatal), every)
                    )
            for constraint in shapes.objects(shape, SH.sparql):
                queries.append((Check(_sparql_query(shapes, shape, constraint, targets)), every))
        except Unsupported:
            queries.append((Check(every), every))
    guards: dict[str, bool] = {}  # a guard's answer, shared by the shapes that reuse a property
    for check, fallback in queries:
        if check.guard is not None:
            if check.guard not in guards:
                guards[check.guard] = _any_row(store, check.guard)
            if not guards[check.guard]:
                continue
        try:
            rows = list(store.query(check.query, use_default_graph_as_union=True))
        except (SyntaxError, ValueError, OSError):  # a construct Oxigraph cannot run
            rows = list(store.query(fallback, use_default_graph_as_union=True))
        if rows and check.fatal:
            return None
        found |= {str(row["this"]) for row in rows}
    if any(not (text.startswith("<") and text.endswith(">")) for text in found):
        return None  # a blank node or literal: pySHACL's focus_nodes would drop it
    return {URIRef(text[1:-1]) for text in found}


def _any_row(store: Any, query: str) -> bool:
    """Return True if ``query`` has a solution, or cannot be run (then the full check runs)."""
    try:
        return any(True for _ in store.query(query, use_default_graph_as_union=True))
    except (SyntaxError, ValueError, OSError):
        return True


def _sparql_query(shapes: Graph, shape: Node, constraint: Node, targets: str) -> str:
    """Return a SPARQL constraint's query over all targets (see :mod:`.prefilter`)."""
    if (shape, SH.path, None) in shapes:
        raise Unsupported(constraint)
    select = shapes.value(constraint, SH.select)
    if not isinstance(select, Literal):
        raise Unsupported(constraint)
    batch = _batch_query(str(select), targets)
    if batch is None:
        raise Unsupported(constraint)
    # pySHACL also resolves prefixes the constraint does not declare (through rdflib's
    # bindings); those of the shapes file are the nearest equivalent.
    prefixes = {prefix: str(ns) for prefix, ns in shapes.namespaces() if prefix}
    prefixes |= _prefixes(shapes, constraint)
    header = "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(prefixes.items()))
    return header + batch


def restrict_targets(store: Any, shapes: Graph, found: set[URIRef]) -> Graph:
    """Return a copy of the shapes whose targets are only the ``found`` nodes each shape targets.

    This, rather than pySHACL's ``focus_nodes`` option, is how pySHACL is told which nodes to
    validate: that option also filters the value nodes of nested shapes (a qualified value
    shape then counts values it never checked, and reports violations a full run does not).
    """
    from rdflib import OWL, RDFS

    restricted = Graph()
    for prefix, namespace in shapes.namespaces():
        restricted.bind(prefix, namespace, override=False)
    restricted += shapes
    values = " ".join(f"<{node}>" for node in sorted(found))
    for shape in _shapes_with_targets(shapes):
        targets = _target_pattern(shapes, shape)
        query = f"SELECT DISTINCT ?this WHERE {{ VALUES ?this {{ {values} }} {{ {targets} }} }}"
        rows = store.query(query, use_default_graph_as_union=True)
        for predicate in TARGETS:
            restricted.remove((shape, predicate, None))
        for kind in (RDFS.Class, OWL.Class):  # an implicit class target
            restricted.remove((shape, RDF.type, kind))
        for row in rows:
            restricted.add((shape, SH.targetNode, URIRef(row["this"].value)))
    return restricted


def has_targets(shapes: Graph) -> bool:
    """Return True if any shape still has a target (False: nothing left to validate)."""
    return bool(_shapes_with_targets(shapes))
