"""RDF documents from users: size first, one strict parser, nothing fetched, bounded nesting."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from . import nesting_depth

#: Largest RDF file a user may hand us: 200 times the built dataset, far below what would hurt.
MAX_INPUT_BYTES = 128 * 1024 * 1024
#: Deepest nesting of JSON arrays/objects or XML elements (the project's files need under 10).
MAX_DOCUMENT_DEPTH = 100

#: Oxigraph ``RdfFormat`` members this module parses (their ``.name`` is for people).
RDF_FORMATS = frozenset({"TURTLE", "N_TRIPLES", "N_QUADS", "TRIG", "RDF_XML", "JSON_LD"})
_PARSER_PREFIX = re.compile(r"^Parser error [^:]*: ")

_XML_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def check_size(size: int, where: str, limit: int = MAX_INPUT_BYTES) -> None:
    """Refuse an input of ``size`` bytes when it is over ``limit``, before anything is parsed."""
    if size > limit:
        raise InputError(f"{where}: {size} bytes is over the limit of {limit} bytes; not read")


def refuse_xml_declarations(data: bytes, where: str) -> None:
    """Refuse RDF/XML with a document type or entity declaration, before any XML parser runs.

    RDF/XML never needs a DTD; one is how entity-expansion bombs ("billion laughs") and external
    entities (``SYSTEM "file:///etc/passwd"``) get in. Only UTF-8 is accepted, so the check
    cannot be dodged by another encoding.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where}: RDF/XML must be UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None
    match = _XML_DECLARATIONS.search(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        raise InputError(
            f"{where}: line {line}: {match.group(1).decode().upper()} not allowed in RDF/XML "
            "(no document types or entities are read)"
        )
    _check_xml_depth(data, where)


def _check_xml_depth(data: bytes, where: str) -> None:
    """Refuse XML nested deeper than :data:`MAX_DOCUMENT_DEPTH` (Expat streams: no recursion)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    depth = 0

    class TooDeep(Exception):
        pass

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DOCUMENT_DEPTH:
            raise TooDeep

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except TooDeep:
        raise InputError(
            f"{where}: line {parser.CurrentLineNumber}: XML nested more than "
            f"{MAX_DOCUMENT_DEPTH} elements deep"
        ) from None
    except expat.ExpatError as exc:
        raise InputError(
            f"{where}: syntax error at line {exc.lineno}, column {exc.offset + 1}: "
            f"{expat.ErrorString(exc.code)}"
        ) from None


def check_json_depth(text: str, where: str, limit: int = MAX_DOCUMENT_DEPTH) -> None:
    """Refuse JSON nested deeper than ``limit``, by a flat scan with strings removed."""
    depth = nesting_depth(_JSON_STRING.sub("", text), frozenset("[{"), frozenset("]}"))
    if depth > limit:
        raise InputError(f"{where}: JSON nested {depth} levels deep; at most {limit} are allowed")


def _contexts(node: Any, where: str) -> list[Any]:
    """Return every ``@context`` and ``@import`` value anywhere in a JSON document.

    On the way, refuse a value object with ``@type`` beside ``@language`` or ``@direction``
    (JSON-LD error "invalid value object"), which Oxigraph lets through.
    """
    found: list[Any] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if (
                "@value" in item
                and "@type" in item
                and ("@language" in item or "@direction" in item)
            ):
                raise InputError(
                    f"{where}: invalid value object: @type cannot go with @language or @direction"
                )
            for key, value in item.items():
                if key in ("@context", "@import"):
                    found.append(value)
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def refuse_remote_contexts(text: str, where: str) -> Any:
    """Return the parsed JSON-LD document, refusing every context not written inline.

    A context named by a string is loaded from the network or the disk by most processors
    (rdflib among them): cloud metadata addresses, ``file:`` paths and relative paths all reach
    somewhere the user did not mean. The project's own context is always written inline.
    """
    check_json_depth(text, where)
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{where}: malformed JSON: {exc}") from None
    for value in _contexts(document, where):
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, str):
                raise InputError(
                    f"{where}: remote context not allowed ({entry[:80]!r}); "
                    "write the @context inline"
                )
    return document


@dataclass(frozen=True)
class ParsedRDF:
    """Quads that the strict parser accepted, in document order (pyoxigraph ``Quad`` objects)."""

    quads: list[Any]


def parse_rdf(data: bytes, fmt: str, where: str, *, base_iri: str | None = None) -> ParsedRDF:
    """Parse ``data`` strictly in ``fmt`` (an Oxigraph format name) after every safety check.

    Nothing is returned unless the whole document parses, so a caller never merges half a file.
    """
    import pyoxigraph

    if fmt not in RDF_FORMATS:
        raise InputError(f"{where}: unknown RDF format {fmt}")
    check_size(len(data), where)
    data = data.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark, as some editors write
    if fmt == "RDF_XML":
        refuse_xml_declarations(data, where)
    elif fmt == "JSON_LD":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{where}: JSON-LD must be UTF-8 ({exc.reason})") from None
        refuse_remote_contexts(text, where)
    try:
        quads = list(
            pyoxigraph.parse(data, format=getattr(pyoxigraph.RdfFormat, fmt), base_iri=base_iri)
        )
    except SyntaxError as exc:
        message = _PARSER_PREFIX.sub("", " ".join(str(exc.msg).split()))
        at = f" syntax error at line {exc.lineno}, column {exc.offset}:" if exc.lineno else ""
        raise InputError(f"{where}:{at} malformed {_people_name(fmt)}: {message}") from None
    except ValueError as exc:
        raise InputError(f"{where}: cannot parse: {' '.join(str(exc).split())}") from None
    except MemoryError as exc:  # Oxigraph's JSON-LD parser buffers at most 16 MiB at a time
        raise InputError(f"{where}: too large for the {_people_name(fmt)} parser: {exc}") from None
    return ParsedRDF(quads)


def read_rdf_file(path: Path, fmt: str) -> ParsedRDF:
    """Read and strictly parse one RDF file, measuring it before reading a byte."""
    try:
        check_size(path.stat().st_size, str(path))
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    # Relative IRIs resolve against the file's own IRI, as rdflib does: a name, never a fetch.
    return parse_rdf(data, fmt, str(path), base_iri=path.resolve().as_uri())


def to_rdflib(quads: list[Any]) -> Any:
    """Return the triples of ``quads`` (graph names dropped) as an rdflib ``Graph``.

    rdflib never parses user text: it gets terms that Oxigraph has already checked, so its
    laxer parsers, its recursion and its remote-context loader are never involved.
    """
    from rdflib import Graph

    graph = Graph()
    for quad in quads:
        graph.add((_term(quad.subject), _term(quad.predicate), _term(quad.object)))
    return graph


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _term(term: Any) -> Any:
    """Return one pyoxigraph term as the equal rdflib term."""
    import pyoxigraph
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _LANG_STRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise InputError("RDF 1.2 triple terms are not supported")


def _people_name(fmt: str) -> str:
    """Return Oxigraph's name for people of a format member name (``RDF_XML`` -> ``RDF/XML``)."""
    import pyoxigraph

    return str(getattr(pyoxigraph.RdfFormat, fmt).name)
