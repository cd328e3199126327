"""Validate graphs against the project's SHACL shapes (``ontology/shapes.ttl``).

The shapes target classes such as ``nik:Actor`` and expect to reach instances of its subclasses,
so the ontology is merged into the data before validation: SHACL follows ``rdfs:subClassOf`` in
the data graph by itself, and no RDFS/OWL inference is run (it is slow and would add triples that
the shapes would then check instead of the data).

pyshacl is imported inside :func:`validate_graph`, not at module level: importing it costs a
noticeable fraction of a second, which every command of the CLI would otherwise pay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import OWL, RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.query import Result
from rdflib.term import Node

from ..errors import InputError

if TYPE_CHECKING:  # rdflib's SPARQL engine (pyparsing) takes a tenth of a second to import,
    # and only pySHACL needs it: valid data that the screen clears never does
    from rdflib.plugins.sparql.sparql import Query

from .. import paths
from ..guard.rdf_input import MAX_INPUT_BYTES

__all__ = [
    "ValidationReport",
    "ValidationResult",
    "load_ontology_graph",
    "load_shapes",
    "validate_graph",
]

SH = Namespace("http://www.w3.org/ns/shacl#")

#: Report order: the most serious results first.
_SEVERITY_RANK = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``, flattened to strings so it can be sorted, compared and shown.

    ``component`` is the local name of the constraint component (``MinCountConstraintComponent``,
    ``SPARQLConstraintComponent``), which says *what kind* of rule failed independently of the
    wording of the message.
    """

    focus: str
    path: str | None
    message: str
    severity: str
    component: str
    source_shape: str
    value: str | None = None

    def __str__(self) -> str:
        """Return one readable line: severity, focus node, path and message."""
        where = f" {self.path}" if self.path else ""
        return f"{self.severity}: <{self.focus}>{where}: {self.message} [{self.component}]"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: results sorted deterministically, and pyshacl's report graph.

    ``conforms`` is ``True`` when there is no Violation: Warnings flag doubtful data that a person
    should look at, but they must not fail a build.
    """

    conforms: bool
    results: tuple[ValidationResult, ...]
    report_graph: Graph

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        """Return the results of severity Violation."""
        return tuple(r for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> tuple[ValidationResult, ...]:
        """Return the results of severity Warning."""
        return tuple(r for r in self.results if r.severity == "Warning")

    def text(self) -> str:
        """Return every result on its own line, or a one-line summary when there are none."""
        if not self.results:
            return "conforms: no violations, no warnings"
        return "\n".join(str(r) for r in self.results)


@lru_cache(maxsize=1024)
def _prepare(text: str, namespaces: tuple[tuple[str, str], ...]) -> Query:
    """Parse a SPARQL text once; the parsed query is reusable with any graph and bindings.

    Raises:
        ValueError: The text is not SPARQL (a user's shapes file): the caller reports it as
            unusable input, not as a crash.
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(text, initNs=dict(namespaces))
    except ParseBaseException as exc:
        near = exc.line[max(exc.col - 1, 0) :][:60]
        raise ValueError(f"a SPARQL constraint does not parse: {exc.msg} at {near!r}") from exc


class _PreparedQueryGraph(Graph):
    """A graph that has each distinct SPARQL text parsed once, however often it is queried.

    pyshacl runs every ``sh:sparql`` constraint once per focus node, passing the query as text, and
    rdflib parses text on every call: parsing, not evaluation, would then take most of the time
    (minutes instead of seconds for the project's graph). Reusing the parsed query is safe because
    pyshacl binds ``$this`` through ``initBindings``, not by editing the text.

    With ``prefilters`` set (see :mod:`.shacl_prefilter`), a constraint's query for a focus node
    that is known to have no solution is answered with an empty result without running it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.prefilters: Mapping[str, Any] = {}
        self._by_text: dict[str, Any] = {}

    def _prefilter_for(self, text: str) -> Any:
        """Return the prefilter whose ``sh:select`` text ends this query text, if any."""
        if text not in self._by_text:
            self._by_text[text] = next(
                (f for select, f in self.prefilters.items() if text.endswith(select)), None
            )
        return self._by_text[text]

    def query(  # type: ignore[override]
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Mapping[str, Any] | None = None,
        initBindings: Mapping[str, Any] | None = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Run a query, reusing the parsed form of a text query seen before."""
        if isinstance(query_object, str) and self.prefilters and initBindings:
            prefilter = self._prefilter_for(query_object)
            if prefilter is not None and prefilter.skips(initBindings.get("this")):
                empty = Result("SELECT")
                empty.vars, empty.bindings = [], []
                return empty
        if isinstance(query_object, str) and processor == "sparql" and initNs is None:
            namespaces = tuple(sorted((prefix, str(ns)) for prefix, ns in self.namespaces()))
            query_object = _prepare(query_object, namespaces)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


_REMOTE = re.compile(r"\b(SERVICE|LOAD|FROM)\b", re.IGNORECASE)


def refuse_remote_shapes(graph: Graph, source: Path) -> None:
    """Refuse shapes that would reach the network or the disk: owl:imports, SERVICE, FROM, LOAD.

    pySHACL does not follow imports by default, but a shapes file that asks for them, or a SPARQL
    constraint that calls a remote service, says its author expects something we will not do.
    """
    from ..errors import InputError
    from ..guard.sparql_text import blank_opaque

    for _, target in graph.subject_objects(OWL.imports):
        if str(target).rstrip("#") == str(SH).rstrip("#"):
            continue  # the SHACL vocabulary itself: a declaration convention, never fetched
        raise InputError(f"{source}: shapes import {target} (owl:imports); nothing is fetched")
    for predicate in (SH.select, SH.ask, SH.construct, SH.update):
        for _, text in graph.subject_objects(predicate):
            match = _REMOTE.search(blank_opaque(str(text)))
            if match:
                raise InputError(
                    f"{source}: a SPARQL constraint uses {match.group(0).strip()!r}; "
                    "shapes may not reach other graphs, services or files"
                )


def load_shapes(path: Path | None = None, limit: int | None = MAX_INPUT_BYTES) -> Graph:
    """Parse the SHACL shapes; by default the project's ``ontology/shapes.ttl``.

    Each ``sh:select`` query is put on one line by
    :func:`nato_iraq_kg.guard.sparql_text.one_line`, which reads tokens, not lines: comments go,
    strings and IRIs are kept whole. pyshacl checks every query text with regular expressions,
    once per focus node, whose cost grows with the number of lines; one-line queries make the
    whole validation about a third faster. A user's file is measured first against ``limit``
    (None: no cap).
    """
    from ..errors import InputError

    source = path or paths.shapes_file()
    if path is not None:  # a user's file: size cap and strict syntax before rdflib reads it
        from ..guard.rdf_input import read_rdf_file

        read_rdf_file(path, "TURTLE", limit)
    graph = Graph()
    try:
        graph.parse(source, format="turtle")
    except FileNotFoundError as exc:
        raise InputError(f"{source}: shapes file not found") from exc
    except Exception as exc:  # rdflib raises several unrelated types for bad syntax
        raise InputError(f"{source}: malformed shapes: {' '.join(str(exc).split())}") from exc
    refuse_remote_shapes(graph, source)
    from ..guard.sparql_text import one_line

    for node, text in list(graph.subject_objects(SH.select)):
        graph.set((node, SH.select, Literal(one_line(str(text)))))
    return graph


def _load_ontology() -> Graph:
    """Parse the project's ontology, the default to merge into the data."""
    graph = Graph()
    graph.parse(paths.ontology_file(), format="turtle")
    return graph


def load_ontology_graph(path: Path, graph: Graph | None = None) -> Graph:
    """Parse the ontology (into ``graph``, by default a new one), naming the file on an error.

    The build (:mod:`nato_iraq_kg.build.pipeline`) and ``validate`` both read it through here;
    it lives in ``check`` so that ``validate`` need not import the build pipeline (extraction,
    curation, YAML: 0.15 s it never uses).
    """
    from ..errors import InputError

    graph = graph if graph is not None else Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: ontology file not found") from exc
    except Exception as exc:  # rdflib raises several unrelated types for bad syntax
        raise InputError(f"{path}: malformed Turtle: {exc}".replace("\n", " ")) from exc
    return graph


def _local_name(term: Node | None) -> str:
    """Return the part of an IRI after its last ``#`` or ``/`` (the whole text otherwise)."""
    if term is None:
        return ""
    text = str(term)
    for separator in ("#", "/"):
        if separator in text:
            text = text.rsplit(separator, 1)[1]
    return text


def _term_text(term: Node | None) -> str | None:
    """Return a stable text for a report term; blank nodes get a fixed placeholder.

    Blank node labels change from run to run, so they would make the sorted results (and any
    comparison between two reports) unstable.
    """
    if term is None:
        return None
    if isinstance(term, BNode):
        return "_:blank"
    return str(term)


def _path_text(report: Graph, path: Node | None) -> str | None:
    """Return a property path as text: an IRI as is, an inverse path as ``^IRI``."""
    if path is None:
        return None
    if isinstance(path, BNode):
        inverse = report.value(path, SH.inversePath)
        if inverse is not None:
            return f"^{inverse}"
    return _term_text(path)


def _results(report: Graph) -> tuple[ValidationResult, ...]:
    """Flatten the report graph's results, dropping duplicates, in a stable order.

    A node that two shapes target through a shared property shape is reported twice by pyshacl;
    one result is enough.
    """
    found: set[ValidationResult] = set()
    for node in report.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        found.add(
            ValidationResult(
                focus=_term_text(report.value(node, SH.focusNode)) or "",
                path=_path_text(report, report.value(node, SH.resultPath)),
                message=" ".join(messages),
                severity=_local_name(report.value(node, SH.resultSeverity)),
                component=_local_name(report.value(node, SH.sourceConstraintComponent)),
                source_shape=_term_text(report.value(node, SH.sourceShape)) or "",
                value=_term_text(report.value(node, SH.value)),
            )
        )
    return tuple(
        sorted(
            found,
            key=lambda r: (
                _SEVERITY_RANK.get(r.severity, 9),
                r.focus,
                r.path or "",
                r.component,
                r.message,
                r.source_shape,
                r.value or "",
            ),
        )
    )


#: Ill-typed literals named in an error, at most.
_ILL_TYPED_SHOWN = 5


def ill_typed_literals(data: Graph) -> list[str]:
    """Return where ``data`` has literals whose text is not a value of their datatype.

    Such as ``"about 1942"^^xsd:nonNegativeInteger``: legal RDF, but rdflib's SPARQL engine
    (which pySHACL runs the shapes' SPARQL constraints on) crashes doing arithmetic with one,
    where SPARQL would treat it as an error of that one expression. So a crash of pySHACL on
    data that holds any is reported as bad input naming them, not as an internal error.
    """
    found = sorted(
        {
            f"{o.n3()} ({p.n3()} of {s.n3()})"
            for s, p, o in data
            if isinstance(o, Literal) and o.ill_typed
        }
    )
    shown = found[:_ILL_TYPED_SHOWN]
    if len(found) > len(shown):
        shown.append(f"and {len(found) - len(shown)} more")
    return shown


def validate_graph(
    data: Graph,
    *,
    shapes: Graph | None = None,
    ontology: Graph | None = None,
    focus_nodes: Iterable[URIRef] | None = None,
    prefilter: bool = True,
    screen: bool = True,
) -> ValidationReport:
    """Validate ``data`` against the shapes, with the ontology merged in.

    Args:
        data: The graph to check, e.g. the facts plus the evidence graph. It is not modified.
        shapes: The shapes graph; by default :func:`load_shapes`.
        ontology: The ontology to merge into the data so that class targets reach subclass
            instances; by default the project's ``ontology/nato-iraq.ttl``. Pass an empty
            ``Graph()`` to validate ``data`` exactly as it is.
        focus_nodes: Only report on these nodes (pyshacl's ``focus_nodes``): much faster when
            only a few nodes changed. Shapes still see the whole graph.
        prefilter: Run each SPARQL constraint once over all its targets in Oxigraph first, so
            pyshacl runs it only for the focus nodes that have a solution (same results, several
            times faster; see :mod:`.prefilter`). ``False`` gives plain pyshacl.
        screen: First list, in Oxigraph, the focus nodes that may fail any constraint, and let
            pyshacl validate only those (none: the data conforms and pyshacl does not run; see
            :mod:`.screen`). Same results; ``False`` (with ``prefilter=False``) is the reference.

    Returns:
        The report; ``conforms`` is ``False`` only when there is at least one Violation.

    Raises:
        ValueError: The shapes graph is not valid SHACL (pyshacl cannot apply it).
    """
    focus = sorted(set(focus_nodes)) if focus_nodes is not None else None
    if focus is not None and not focus:
        return ValidationReport(True, (), Graph())
    shapes = shapes if shapes is not None else load_shapes()
    ontology = ontology if ontology is not None else _load_ontology()
    if screen and focus is None:
        from .screen import has_targets
        from .screened import conforming_report, screen_graph

        restricted = screen_graph(data, shapes, ontology)
        if restricted is not None and not has_targets(restricted):
            return conforming_report()
        if restricted is None:  # the screen gave up: plain pyshacl, not second-guessed
            prefilter = False
        shapes = restricted if restricted is not None else shapes
    # Merging here, rather than passing ont_graph, lets pyshacl validate in place: it clones the
    # data graph whenever it mixes in an ontology, and the merge below is the one copy we need.
    merged = _PreparedQueryGraph()
    for prefix, namespace in data.namespaces():
        merged.bind(prefix, namespace, override=False)
    merged += data
    merged += ontology
    if prefilter:
        from .prefilter import sparql_prefilters

        merged.prefilters = sparql_prefilters(merged, shapes)
    import pyshacl  # deferred: slow to import, and screened valid data never needs it

    try:
        _, report_graph, report_text = pyshacl.validate(
            merged,
            shacl_graph=shapes,
            inference="none",
            advanced=False,
            inplace=True,
            focus_nodes=focus,
        )
    except (ArithmeticError, ValueError, TypeError) as exc:
        ill_typed = ill_typed_literals(data)
        if not ill_typed:
            raise
        raise InputError(
            "the data holds ill-typed literals, which the shapes' SPARQL constraints cannot "
            f"compute with: {'; '.join(ill_typed)}. Give each a valid value of its datatype"
        ) from exc
    if not isinstance(report_graph, Graph):
        # pyshacl returns, rather than raises, the failure of a malformed shapes graph.
        raise ValueError(f"the shapes could not be applied: {report_text}")
    results = _results(report_graph)
    conforms = not any(r.severity == "Violation" for r in results)
    return ValidationReport(conforms, results, report_graph)
