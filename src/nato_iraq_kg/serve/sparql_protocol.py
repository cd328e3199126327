"""The SPARQL 1.1 Protocol, read-only: vet a query, run it with a row cap, and serialise it.

Everything here is synchronous and free of HTTP so it can run in a worker process and be tested
without a server. The guards work on the query text with IRIs, string literals and comments
blanked out (see :mod:`nato_iraq_kg.guard.sparql_text`), so a label such as "the service
from 2014" never trips them, while ``SERVICE`` or ``FROM`` in the query itself always does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..errors import InputError
from ..formats.registry import media_types, syntax
from ..guard.sparql_text import QueryRefused, blank_opaque, vet_query
from ..namespaces import prefixes

__all__ = ["QueryRefused", "execute", "vet_query"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

#: The project prefixes every query may use undeclared (read once: building them is not free).
_PREFIXES = prefixes()
#: What ``json.dumps(..., ensure_ascii=False)`` makes for each call, made once.
_JSON = json.JSONEncoder(ensure_ascii=False)
#: SELECT/ASK answers: short ``format=`` name -> media type, in our order of preference.
RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: Media types that also mean a results format (clients send them; we answer the canonical one).
RESULT_ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml"}

#: CONSTRUCT/DESCRIBE answers (and RDF documents): syntax key -> media type, preferred first.
GRAPH_MEDIA = media_types(("ttl", "nt", "xml", "jsonld"))


@dataclass
class Answer:
    """A serialised answer: the body, its media type, and extra headers (row count, truncation)."""

    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)


def _term_json(term: Any) -> dict[str, Any]:
    """Return a term in the SPARQL 1.1 JSON results encoding."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Literal):
        encoded: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            encoded["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            encoded["datatype"] = term.datatype.value
        return encoded
    return {
        "type": "triple",
        "value": {
            "subject": _term_json(term.subject),
            "predicate": _term_json(term.predicate),
            "object": _term_json(term.object),
        },
    }


def _term_xml(term: Any) -> str:
    """Return a term in the SPARQL XML results encoding."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            datatype = quoteattr(term.datatype.value)
            return f"<literal datatype={datatype}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_term_xml(term.subject)}</subject>"
        f"<predicate>{_term_xml(term.predicate)}</predicate>"
        f"<object>{_term_xml(term.object)}</object></triple>"
    )


def _csv_cell(term: Any) -> str:
    """Return a term as a CSV cell (its bare value), quoted when it holds a separator or quote."""
    import pyoxigraph

    if term is None:
        return ""
    if isinstance(term, pyoxigraph.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, pyoxigraph.NamedNode | pyoxigraph.Literal):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in '",\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_cell(term: Any) -> str:
    """Return a term as a TSV cell: its Turtle form, with numbers and booleans left bare."""
    import pyoxigraph

    if term is None:
        return ""
    if isinstance(term, pyoxigraph.Literal):
        bare = _BARE_DATATYPES.get(term.datatype.value)
        if bare is not None and bare.fullmatch(term.value):
            return term.value
    return str(term).replace("\t", "\\t")


_BARE_DATATYPES = {
    "http://www.w3.org/2001/XMLSchema#integer": re.compile(r"[+-]?\d+"),
    "http://www.w3.org/2001/XMLSchema#decimal": re.compile(r"[+-]?\d*\.\d+"),
    "http://www.w3.org/2001/XMLSchema#double": re.compile(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+"),
    "http://www.w3.org/2001/XMLSchema#boolean": re.compile(r"true|false"),
}


def serialize_solutions(
    variables: tuple[str, ...], rows: Iterable[tuple[Any, ...]], fmt: str
) -> bytes:
    """Serialise SELECT rows in a W3C results format (json, xml, csv, tsv).

    Done here rather than by pyoxigraph because pyoxigraph can only serialise a whole, unconsumed
    answer, and the service must be able to cut it after ``max_rows`` rows.
    """
    if fmt == "json":
        bindings = [
            {v: _term_json(t) for v, t in zip(variables, row, strict=True) if t is not None}
            for row in rows
        ]
        document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
        return _JSON.encode(document).encode("utf-8")
    if fmt == "xml":
        parts = [f'<?xml version="1.0"?><sparql xmlns="{RESULTS_NS}"><head>']
        parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
        parts.append("</head><results>")
        for row in rows:
            parts.append("<result>")
            for v, t in zip(variables, row, strict=True):
                if t is not None:
                    parts.append(f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>")
            parts.append("</result>")
        parts.append("</results></sparql>")
        return "".join(parts).encode("utf-8")
    if fmt == "csv":
        lines = [",".join(variables)]
        lines += [",".join(_csv_cell(t) for t in row) for row in rows]
        return "".join(line + "\r\n" for line in lines).encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join(_tsv_cell(t) for t in row) for row in rows]
        return "".join(line + "\n" for line in lines).encode("utf-8")
    raise ValueError(f"unknown results format {fmt!r}")


def serialize_triples(triples: Iterable[Any], fmt: str) -> bytes:
    """Serialise triples in an RDF syntax (ttl, nt, xml, jsonld) with the project prefixes."""
    import pyoxigraph

    rdf_format = syntax(fmt).rdf_format
    if fmt in ("ttl", "xml"):
        return pyoxigraph.serialize(triples, format=rdf_format, prefixes=prefixes()) or b""
    return pyoxigraph.serialize(triples, format=rdf_format) or b""


def execute(
    store: Any,
    sparql: str,
    fmt: str,
    *,
    max_rows: int,
) -> Answer:
    """Run a vetted query and return its serialised answer, cutting it at ``max_rows``.

    A SELECT answer keeps at most ``max_rows`` rows, a graph answer at most that many triples;
    the ``X-Result-Rows`` and ``X-Result-Truncated`` headers say what was cut. Meant to run in a
    worker process (see :mod:`.query_pool`), which is killed if it overruns its time.

    Raises:
        QueryRefused: (400) when the query does not parse or asks for a format of another form.
    """
    import pyoxigraph

    # Parsing the project prefixes costs as much as a lookup itself: pass them only when the
    # query has a prefixed name (a colon outside IRIs, strings and comments) they might serve.
    known = _PREFIXES if ":" in blank_opaque(sparql) else None
    try:
        answer = store.query(sparql, use_default_graph_as_union=True, prefixes=known)
    except SyntaxError as exc:
        raise QueryRefused(f"malformed SPARQL: {' '.join(str(exc).split())}", 400) from exc
    if isinstance(answer, pyoxigraph.QueryBoolean):
        if fmt not in RESULT_MEDIA:
            raise QueryRefused(f"an ASK answer cannot be given as {fmt}", 406)
        body = answer.serialize(format=getattr(pyoxigraph.QueryResultsFormat, fmt.upper()))
        return Answer(body, RESULT_MEDIA[fmt])
    if isinstance(answer, pyoxigraph.QuerySolutions):
        if fmt not in RESULT_MEDIA:
            raise QueryRefused(f"a SELECT answer cannot be given as {fmt}", 406)
        variables = tuple(v.value for v in answer.variables)
        rows: list[tuple[Any, ...]] = []
        truncated = False
        for solution in answer:
            if len(rows) >= max_rows:
                truncated = True
                break
            rows.append(tuple(solution[v] for v in variables))
        headers = {
            "X-Result-Rows": str(len(rows)),
            "X-Result-Truncated": "true" if truncated else "false",
        }
        return Answer(serialize_solutions(variables, rows, fmt), RESULT_MEDIA[fmt], headers)
    if fmt not in GRAPH_MEDIA:
        raise QueryRefused(f"a graph answer cannot be given as {fmt}", 406)
    triples = []
    truncated = False
    for triple in answer:
        if len(triples) >= max_rows:  # an exploding CONSTRUCT is cut like a SELECT
            truncated = True
            break
        triples.append(triple)
    headers = {
        "X-Result-Rows": str(len(triples)),
        "X-Result-Truncated": "true" if truncated else "false",
    }
    return Answer(serialize_triples(triples, fmt), GRAPH_MEDIA[fmt], headers)


def service_description(endpoint: str) -> list[Any]:
    """Return the SPARQL Service Description of the endpoint at ``endpoint``, as triples.

    Lets clients discover, without guessing, that this is a SPARQL 1.1 Query service (no update),
    which result formats it gives, and that its default graph is the union of the named graphs.
    """
    from pyoxigraph import BlankNode, Literal, NamedNode, Triple

    sd = "http://www.w3.org/ns/sparql-service-description#"
    formats = "http://www.w3.org/ns/formats/"
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    service = BlankNode("service")
    dataset = BlankNode("dataset")
    triples = [
        Triple(service, rdf_type, NamedNode(sd + "Service")),
        Triple(service, NamedNode(sd + "endpoint"), NamedNode(endpoint)),
        Triple(service, NamedNode(sd + "supportedLanguage"), NamedNode(sd + "SPARQL11Query")),
        Triple(service, NamedNode(sd + "feature"), NamedNode(sd + "UnionDefaultGraph")),
        Triple(service, NamedNode(sd + "defaultDataset"), dataset),
        Triple(dataset, rdf_type, NamedNode(sd + "Dataset")),
        Triple(
            service,
            NamedNode("http://purl.org/dc/terms/description"),
            Literal("Read-only SPARQL 1.1 Query endpoint of the NATO-Iraq knowledge graph"),
        ),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV"):
        triples.append(Triple(service, NamedNode(sd + "resultFormat"), NamedNode(formats + name)))
    for name in ("SPARQL_Results_TSV", "Turtle", "N-Triples", "RDF_XML", "JSON-LD"):
        triples.append(Triple(service, NamedNode(sd + "resultFormat"), NamedNode(formats + name)))
    return triples


def format_name(value: str, form: str) -> str | None:
    """Return our short format name for a ``format=`` value (short name or media type) and form.

    Returns None when the value names no format this form of query can be given in.
    """
    value = value.strip().lower()
    if form in ("SELECT", "ASK"):
        if value in RESULT_MEDIA:
            return value
        value = RESULT_ALIASES.get(value, value)
        if value in RESULT_MEDIA:
            return value
        return next((k for k, media in RESULT_MEDIA.items() if media == value), None)
    try:
        key = syntax(value).key
    except InputError:
        return None
    return key if key in GRAPH_MEDIA else None


def offers_for(form: str) -> dict[str, str]:
    """Return the media types a query form can be answered in, mapped to our format names."""
    if form in ("SELECT", "ASK"):
        offers = {media: name for name, media in RESULT_MEDIA.items()}
        offers.update(RESULT_ALIASES)
        return offers
    return {media: name for name, media in GRAPH_MEDIA.items()}
