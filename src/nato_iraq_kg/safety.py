"""Safe parsing of everything a user hands us: RDF files, JSON-LD, and SPARQL query texts.

Every entry point that reads user input (``validate FILE``, ``--shapes``, ``query FILE`` and
``--sparql``, the SPARQL endpoint) goes through this module, so the rules live in one place:

* **Size first.** A file is measured before it is read, and text before it is parsed.
* **One strict parser.** RDF is parsed by Oxigraph, which rejects every W3C negative-syntax test
  (rdflib alone accepts some: bad IRIs, bad escapes, a literal with both a language and a
  datatype). rdflib only ever sees triples that Oxigraph has already accepted.
* **Nothing is fetched or opened.** RDF/XML with ``<!DOCTYPE``/``<!ENTITY`` is refused before
  any XML parser runs (entity expansion bombs, external entities). JSON-LD may only carry inline
  contexts: a context given by IRI or path (``http://169.254.169.254/...``, ``file:///etc/passwd``,
  ``../secrets.jsonld``) or an ``@import`` is refused with "remote context not allowed".
* **Bounded nesting.** Oxigraph's JSON-LD, RDF/XML and SPARQL parsers recurse on nesting and
  crash the whole process (a native stack overflow, not a Python exception) at a few thousand
  levels; the SPARQL planner is also super-linear in nested blank nodes. Nesting is measured with
  a flat scan first and refused beyond a depth no real document or query needs.
* **Read-only queries.** User queries may not update (``INSERT``, ``LOAD``, ``DROP``...), call
  ``SERVICE`` or pick graphs with ``FROM``/``FROM NAMED``.

All checks raise :class:`~nato_iraq_kg.errors.InputError` (exit 2) with one line naming the input.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .errors import CheckFailure, InputError

T = TypeVar("T")

#: Largest RDF file a user may hand us: 200 times the built dataset, far below what would hurt.
MAX_INPUT_BYTES = 128 * 1024 * 1024
#: Largest SPARQL query text (the endpoint has its own, smaller, request cap).
MAX_QUERY_BYTES = 1024 * 1024
#: Deepest nesting of JSON arrays/objects or XML elements (the project's files need under 10).
MAX_DOCUMENT_DEPTH = 100
#: Deepest nesting of ``(``, ``{`` and ``[`` in a SPARQL query (the project's queries need 5).
MAX_QUERY_DEPTH = 32

#: Oxigraph format names this module parses, and their names for people.
FORMAT_NAMES = {
    "TURTLE": "Turtle",
    "N_TRIPLES": "N-Triples",
    "N_QUADS": "N-Quads",
    "TRIG": "TriG",
    "RDF_XML": "RDF/XML",
    "JSON_LD": "JSON-LD",
}
RDF_FORMATS = frozenset(FORMAT_NAMES)
_PARSER_PREFIX = re.compile(r"^Parser error [^:]*: ")


# --- SPARQL -------------------------------------------------------------------------------------

_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r"""|<[^<>\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n]*"""
)
_FORM = re.compile(
    r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)
READ_FORMS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})

# A keyword only counts when it stands alone: not part of a prefixed name (ex:from), a variable
# (?from, $service) or a longer word.
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:-])", re.IGNORECASE)
_FROM = re.compile(r"(?<![\w:?$])FROM(?![\w:-])", re.IGNORECASE)
_OPEN = frozenset("({[")
_CLOSE = frozenset(")}]")


def blank_opaque(sparql: str) -> str:
    """Return ``sparql`` with IRIs, string literals and comments blanked out.

    What is left is the query's keywords and names, so a check for SERVICE or INSERT is not
    fooled by the same word inside a label, an IRI or a comment.
    """
    return _OPAQUE.sub(" ", sparql)


def query_form(sparql: str) -> str:
    """Return the query's form (SELECT, ASK, ..., or an update verb), ignoring comments and strings.

    SPARQLWrapper guesses the form from the raw text, so a comment such as "to help Iraq create
    effective armed forces" makes it send a query as an update; we decide it ourselves.
    """
    match = _FORM.search(blank_opaque(sparql))
    if match is None:
        raise InputError("malformed SPARQL: no query form (SELECT, CONSTRUCT, ASK, DESCRIBE)")
    return match.group(1).upper()


class QueryNotAllowed(InputError):
    """A query we will not run; ``status`` is the HTTP status a server answers it with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _nesting(tokens: str, opening: frozenset[str], closing: frozenset[str]) -> int:
    """Return the deepest nesting of brackets in ``tokens`` (a flat scan, no recursion)."""
    depth = deepest = 0
    for char in tokens:
        if char in opening:
            depth += 1
            deepest = max(deepest, depth)
        elif char in closing:
            depth -= 1
    return deepest


def vet_query(sparql: str) -> str:
    """Return the form of a user's query, or raise :class:`QueryNotAllowed` for what we never run.

    Updates are refused with 403 (the dataset is published, not edited). ``SERVICE`` is refused
    with 400 because it would make us fetch arbitrary URLs. Every ``FROM``/``FROM NAMED`` is
    refused with 400 too: queries always run over the published dataset with the default graph
    as the union of its named graphs, a ``FROM`` would silently narrow that, and refusing them
    all leaves no room for ``file:`` or remote IRIs. Use ``GRAPH <g> { ... }``. Over-long or
    over-nested texts are refused before the SPARQL parser sees them (413/400).
    """
    if len(sparql.encode("utf-8", "surrogatepass")) > MAX_QUERY_BYTES:
        raise QueryNotAllowed(f"query text longer than {MAX_QUERY_BYTES} bytes", 413)
    try:
        form = query_form(sparql)
    except InputError as exc:
        raise QueryNotAllowed(str(exc), 400) from exc
    if form not in READ_FORMS:
        raise QueryNotAllowed(
            f"queries are read-only: SPARQL updates ({form}) are not accepted", 403
        )
    for token in _OPAQUE.finditer(sparql):
        if token.group(0)[:2] in ("<?", "<$"):
            raise QueryNotAllowed(
                f"{token.group(0)[:40]!r} reads as one IRI (SPARQL's longest-token rule); "
                "put spaces around < and > when comparing",
                400,
            )
    bare = blank_opaque(sparql)
    if _SERVICE.search(bare):
        raise QueryNotAllowed("SERVICE (federated query) is not allowed", 400)
    if _FROM.search(bare):
        raise QueryNotAllowed(
            "FROM and FROM NAMED are not allowed: the default graph is always the union of "
            "the dataset's named graphs; use GRAPH <...> { } to pick one",
            400,
        )
    depth = _nesting(bare, _OPEN, _CLOSE)
    if depth > MAX_QUERY_DEPTH:
        raise QueryNotAllowed(
            f"query nested {depth} levels deep (brackets, braces, parentheses); "
            f"at most {MAX_QUERY_DEPTH} are allowed",
            400,
        )
    return form


# --- RDF documents ------------------------------------------------------------------------------

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
    depth = _nesting(_JSON_STRING.sub("", text), frozenset("[{"), frozenset("]}"))
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
        raise InputError(f"{where}:{at} malformed {FORMAT_NAMES[fmt]}: {message}") from None
    except ValueError as exc:
        raise InputError(f"{where}: cannot parse: {' '.join(str(exc).split())}") from None
    except MemoryError as exc:  # Oxigraph's JSON-LD parser buffers at most 16 MiB at a time
        raise InputError(f"{where}: too large for the {FORMAT_NAMES[fmt]} parser: {exc}") from None
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


def check_language(tag: str) -> str:
    """Return ``tag`` if it is a well-formed BCP 47 language tag, else raise CheckFailure.

    rdflib accepts tags such as ``A`` that the Turtle grammar allows but BCP 47 does not, and
    strict readers (ours included) then refuse the whole file: exporters call this first, so a
    bad tag stops the export before anything is written.
    """
    import pyoxigraph

    try:
        pyoxigraph.Literal("", language=tag)
    except ValueError:
        raise CheckFailure(f"language tag {tag!r} is not valid BCP 47; not written") from None
    return tag


def within_time_budget(work: Callable[[], T], seconds: float, what: str) -> T:
    """Return ``work()``, or raise InputError "<what> timed out" once ``seconds`` have passed.

    The work runs in a daemon thread, which Python cannot stop: this is for commands that end
    when the error is reported (the thread then dies with the process), not for servers.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed back to the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, name=what, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise InputError(f"{what} timed out after {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
