"""Find the few focus nodes that can fail the shapes: one SPARQL query per constraint, in Oxigraph.

pySHACL walks rdflib's store node by node and constraint by constraint: about 1 s on our graph,
minutes at a million triples, and building the rdflib graph costs as much again. But on valid
data no node fails. So every SHACL Core constraint of the shapes is compiled into one query that
lists, over all the shape's targets at once, each focus node that *may* fail it (after Corman et
al., "Validating SHACL constraints over a SPARQL endpoint", ISWC 2019); SPARQL constraints are run
the same way (:mod:`.prefilter`), except three of our own shapes' quote checks, which
:mod:`.quote_offsets` answers for all selectors in one pass in Python. pySHACL then validates
just those nodes (its ``focus_nodes``) and gives the results, messages and all; with none, the
data conforms and pySHACL never runs.

The results stay pySHACL's as long as the queries find a superset of the failing nodes, so every
doubt widens the set: a constraint or target this module does not compile makes all of its shape's
targets candidates; literals the store misreports (:mod:`.literal_ledger`) make their subjects
candidates for the constraints they could fool; and :func:`candidates` returns None (validate
everything) when a candidate is not an IRI (pySHACL's ``focus_nodes`` only takes IRIs), when a
literal's text changed in the store, or when a query fails.

The constraints are compiled first (:mod:`.screen_checks`), then every query, the pattern checks
and the quote pass run as independent jobs on every core (:mod:`.parallel`): the answer is the
union of theirs, whatever order they finish in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .class_closure import ClassClosure
from .literal_ledger import STORED_AS as _STORED_AS
from .literal_ledger import Ledger
from .parallel import run_jobs
from .prefilter import SH, _batch_query, _prefixes, _target_pattern
from .quote_offsets import STANDS_IN_FOR, quote_offset_suspects, stand_in_key
from .screen_checks import (
    TARGETS,
    Check,
    Unsupported,
    constraint_checks,
    merged,
    path_text,
    wrap_targets,
)

__all__ = ["candidates", "has_targets", "restrict_targets"]


def _pattern_failures(
    store: Any, shapes: Graph, shape: Node, targets: str, values: str
) -> tuple[bool, set[str]]:
    """Return (False, the targets with a value that fails a ``sh:pattern``), as pySHACL matches.

    (The shape of a screen job: a pattern failure is never fatal.)
    """
    import pyoxigraph

    flags = 0
    for flag_text in shapes.objects(shape, SH.flags):
        text = str(flag_text).lower()
        flags |= (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
        break
    matchers = [re.compile(str(p), flags) for p in shapes.objects(shape, SH.pattern)]
    found: set[str] = set()
    query = (
        f"SELECT DISTINCT ?this ?v WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {targets} }} }} "
        f"{values} }}"
    )
    for row in store.query(query, use_default_graph_as_union=True):
        value = row["v"]
        if isinstance(value, pyoxigraph.BlankNode) or not all(
            m.search(value.value) for m in matchers
        ):
            found.add(str(row["this"]))
    return False, found


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
        _, used = path_text(shapes, path)
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
    closure = ClassClosure(store)
    # Each job returns (fatal, the nodes it found); all run after the loop, on every core.
    jobs: list[Callable[[], tuple[bool, set[str]]]] = []
    quote_checks = False  # whether a constraint :mod:`.quote_offsets` stands in for is used
    # (a check, the query for all its shape's targets)
    queries: list[tuple[Check, str]] = []
    for shape in _shapes_with_targets(shapes):
        if (shape, SH.deactivated, Literal(True)) in shapes:
            continue
        targets = _target_pattern(shapes, shape)
        if targets is None:
            return None
        every = wrap_targets(targets, "")
        try:
            if {f"<{p}>" for p in shapes.objects(shape, SH.targetObjectsOf)} & ledger.predicates():
                raise Unsupported(shape)  # a literal focus node the store may misreport
            own_path = shapes.value(shape, SH.path)
            checks = list(constraint_checks(shapes, closure, shape, targets, own_path))
            parts = [(shape, own_path)]
            for member in shapes.objects(shape, SH.property):
                if (member, SH.deactivated, Literal(True)) in shapes:
                    continue
                member_path = shapes.value(member, SH.path)
                if member_path is None:
                    raise Unsupported(member)
                checks.extend(constraint_checks(shapes, closure, member, targets, member_path))
                parts.append((member, member_path))
            checks = merged(targets, checks)
            queries.extend((c, every) for c in checks if c.absent is None)
            absent = [f"NOT EXISTS {{ {c.absent} }}" for c in checks if c.absent is not None]
            if absent:
                queries.append(
                    (Check(wrap_targets(targets, f"FILTER ({' || '.join(absent)})")), every)
                )
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
                        values = f"?this {path_text(shapes, path)[0]} ?v ."
                    jobs.append(partial(_pattern_failures, store, shapes, part, targets, values))
            for listed, fatal in ((suspects, False), (mistyped, True)):
                if listed:  # those among the shape's own targets
                    nodes = " ".join(sorted(listed))
                    queries.append(
                        (Check(wrap_targets(targets, f"VALUES ?this {{ {nodes} }}"), fatal), every)
                    )
            for constraint in shapes.objects(shape, SH.sparql):
                if _stands_in(shapes, constraint):
                    quote_checks = True  # checked in Python, once for all three (see below)
                    continue
                queries.append((Check(_sparql_query(shapes, shape, constraint, targets)), every))
        except Unsupported:
            queries.append((Check(every), every))
    if quote_checks:  # the longest job: first, so the queries fill in around it
        jobs.insert(0, lambda: (False, quote_offset_suspects(store)))
    # Checks that share a guard (shapes that reuse a property) run in one job, the guard once.
    guarded: dict[str | None, list[tuple[Check, str]]] = {}
    for check, fallback in queries:
        if check.guard is None:
            jobs.append(partial(_checked, store, None, [(check, fallback)]))
        else:
            guarded.setdefault(check.guard, []).append((check, fallback))
    jobs.extend(partial(_checked, store, guard, group) for guard, group in guarded.items())
    found: set[str] = set()
    for fatal, nodes in run_jobs(jobs):
        if fatal:
            return None
        found |= nodes
    if any(not (text.startswith("<") and text.endswith(">")) for text in found):
        return None  # a blank node or literal: pySHACL's focus_nodes would drop it
    return {URIRef(text[1:-1]) for text in found}


def _checked(
    store: Any, guard: str | None, checks: list[tuple[Check, str]]
) -> tuple[bool, set[str]]:
    """Run checks (unless their guard finds nothing); return (fatal, the nodes they list).

    ``fatal`` is True when a fatal check has a row: then the whole data goes to pySHACL. A
    query Oxigraph cannot run is replaced by its fallback, all of its shape's targets.
    """
    found: set[str] = set()
    if guard is not None and not _any_row(store, guard):
        return False, found
    for check, fallback in checks:
        try:
            rows = list(store.query(check.query, use_default_graph_as_union=True))
        except (SyntaxError, ValueError, OSError):  # a construct Oxigraph cannot run
            rows = list(store.query(fallback, use_default_graph_as_union=True))
        if rows and check.fatal:
            return True, found
        found |= {str(row["this"]) for row in rows}
    return False, found


def _any_row(store: Any, query: str) -> bool:
    """Return True if ``query`` has a solution, or cannot be run (then the full check runs)."""
    try:
        return any(True for _ in store.query(query, use_default_graph_as_union=True))
    except (SyntaxError, ValueError, OSError):
        return True


def _stands_in(shapes: Graph, constraint: Node) -> bool:
    """Return True if :mod:`.quote_offsets` checks this SPARQL constraint (its text is ours)."""
    select = shapes.value(constraint, SH.select)
    return isinstance(select, Literal) and stand_in_key(str(select)) in STANDS_IN_FOR


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
