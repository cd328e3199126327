"""RDF documents from users: size first, one strict parser, nothing fetched, bounded nesting."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InputError
from . import nesting_depth

#: Largest RDF file a user may hand us by default: 200 times the built dataset, far below what
#: would hurt. ``--max-input-size`` or :data:`SIZE_VARIABLE` raise it for a user's own large files.
MAX_INPUT_BYTES = 128 * 1024 * 1024
#: The environment variable that sets the cap when the command line does not.
SIZE_VARIABLE = "NATO_IRAQ_KG_MAX_INPUT_SIZE"
SIZE_OPTION = "--max-input-size"
_SIZE = re.compile(r"^\s*(\d+)\s*([kmgt]?)(i?b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
#: Formats read as a stream straight from the file: a line or statement at a time, so a large
#: file never sits in memory whole. RDF/XML and JSON-LD are read whole (they are checked first).
STREAMED_FORMATS = frozenset({"TURTLE", "N_TRIPLES", "N_QUADS", "TRIG"})
#: Formats with one statement per line, which Oxigraph can bulk-load with no Python in between.
LINE_FORMATS = frozenset({"N_TRIPLES", "N_QUADS"})
_CHUNK = 1 << 20
#: Deepest nesting of JSON arrays/objects or XML elements (the project's files need under 10).
MAX_DOCUMENT_DEPTH = 100

#: Oxigraph ``RdfFormat`` members this module parses (their ``.name`` is for people).
RDF_FORMATS = frozenset({"TURTLE", "N_TRIPLES", "N_QUADS", "TRIG", "RDF_XML", "JSON_LD"})
_PARSER_PREFIX = re.compile(r"^Parser error [^:]*: ")

_XML_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def parse_size(text: str, origin: str = SIZE_OPTION) -> int | None:
    """Return the byte count that ``text`` names (``512M``, ``2G``, ``1048576``), None for ``none``.

    Units are binary (``1K`` is 1024 bytes), as the default of 128 MiB is. ``origin`` names where
    the text came from, so that a mistyped environment variable is not blamed on the option.
    """
    if text.strip().lower() in ("none", "unlimited"):
        return None
    match = _SIZE.match(text)
    if match is None:
        raise InputError(
            f"{origin} {text!r}: not a size (use a number of bytes with K, M, G or T, or 'none')"
        )
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def input_limit(option: str | None = None, environ: Mapping[str, str] | None = None) -> int | None:
    """Return the input cap in bytes (None: no cap): the option, else the variable, else 128 MiB."""
    if option is not None:
        return parse_size(option, SIZE_OPTION)
    value = (os.environ if environ is None else environ).get(SIZE_VARIABLE, "").strip()
    if value:
        return parse_size(value, f"${SIZE_VARIABLE}")
    return MAX_INPUT_BYTES


_HOW_TO_RAISE = f"allow more with {SIZE_OPTION} SIZE or ${SIZE_VARIABLE}, e.g. 2G or none"


def check_size(size: int, where: str, limit: int | None = MAX_INPUT_BYTES) -> None:
    """Refuse an input of ``size`` bytes when it is over ``limit``, before anything is parsed.

    The message says how to let a larger file in, since the cap protects against hostile files
    but must not stop a user working with their own large data.
    """
    if limit is not None and size > limit:
        raise InputError(
            f"{where}: {size} bytes is over the limit of {limit} bytes; not read ({_HOW_TO_RAISE})"
        )


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


def parse_rdf(
    data: bytes,
    fmt: str,
    where: str,
    *,
    base_iri: str | None = None,
    limit: int | None = MAX_INPUT_BYTES,
) -> ParsedRDF:
    """Parse ``data`` strictly in ``fmt`` (an Oxigraph format name) after every safety check.

    Nothing is returned unless the whole document parses, so a caller never merges half a file.
    """
    if fmt not in RDF_FORMATS:
        raise InputError(f"{where}: unknown RDF format {fmt}")
    check_size(len(data), where, limit)
    data = data.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark, as some editors write
    if fmt == "RDF_XML":
        refuse_xml_declarations(data, where)
    elif fmt == "JSON_LD":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{where}: JSON-LD must be UTF-8 ({exc.reason})") from None
        refuse_remote_contexts(text, where)
    return ParsedRDF(list(_strictly(io.BytesIO(data), fmt, where, base_iri)))


def _strictly(stream: BinaryIO, fmt: str, where: str, base_iri: str | None) -> Iterator[Any]:
    """Yield the quads Oxigraph parses from ``stream``; its errors become one-line InputErrors."""
    import pyoxigraph

    try:
        yield from pyoxigraph.parse(
            input=stream, format=getattr(pyoxigraph.RdfFormat, fmt), base_iri=base_iri
        )
    except (SyntaxError, ValueError, MemoryError, EOFError, OSError) as exc:
        raise _input_error(exc, fmt, where) from None


def _input_error(exc: Exception, fmt: str, where: str) -> InputError:
    """Return the one-line error for a parser's (or a gzip stream's) exception."""
    if isinstance(exc, SyntaxError):
        message = _PARSER_PREFIX.sub("", " ".join(str(exc.msg).split()))
        at = f" syntax error at line {exc.lineno}, column {exc.offset}:" if exc.lineno else ""
        return InputError(f"{where}:{at} malformed {_people_name(fmt)}: {message}")
    if isinstance(exc, ValueError):
        return InputError(f"{where}: cannot parse: {' '.join(str(exc).split())}")
    if isinstance(exc, MemoryError):  # Oxigraph's JSON-LD parser buffers at most 16 MiB at once
        return InputError(f"{where}: too large for the {_people_name(fmt)} parser: {exc}")
    reason = getattr(exc, "strerror", None) or exc  # a truncated or corrupt gzip stream, say
    return InputError(f"{where}: cannot read ({reason})")


class _CappedReader(io.RawIOBase):
    """A file's bytes (decompressed if gzip), refused once more than ``limit`` have been read.

    The cap on a compressed file must hold for what it expands to: a small ``.gz`` can inflate to
    gigabytes (a "zip bomb"), so the count is of decompressed bytes, taken as they stream out, and
    reading stops at the first byte over. A leading UTF-8 byte-order mark is dropped, as
    :func:`parse_rdf` does.
    """

    def __init__(self, raw: BinaryIO, where: str, limit: int | None, compressed: bool) -> None:
        super().__init__()
        self._raw = raw
        self._where = where
        self._limit = limit
        self._compressed = compressed
        self.count = 0
        self._first = True
        self.tap: Callable[[bytes], None] | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        if self._limit is not None:
            size = min(size, self._limit + 1 - self.count) or 1
        data = self._raw.read(size)
        if self._first:
            self._first = False
            data = data.removeprefix(b"\xef\xbb\xbf")
            if not data:
                data = self._raw.read(size)
        self.count += len(data)
        if self._limit is not None and self.count > self._limit:
            grown = "decompressed, it is" if self._compressed else "it grew to"
            raise InputError(
                f"{self._where}: {grown} over the limit of {self._limit} bytes; "
                f"stopped reading ({_HOW_TO_RAISE})"
            )
        if self.tap is not None:
            self.tap(data)
        buffer[: len(data)] = data
        return len(data)


def is_gzip(path: Path) -> bool:
    """Return True for a ``.gz`` file name: gzip input is read decompressed, as a stream."""
    return path.suffix.lower() == ".gz"


def _open(path: Path, limit: int | None) -> _CappedReader:
    """Open ``path`` for reading after measuring it; gzip is decompressed as it is read."""
    try:
        check_size(path.stat().st_size, str(path), limit)
        raw: BinaryIO = gzip.open(path, "rb") if is_gzip(path) else path.open("rb")  # noqa: SIM115
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return _CappedReader(raw, str(path), limit, is_gzip(path))


def iter_rdf_file(path: Path, fmt: str, limit: int | None = MAX_INPUT_BYTES) -> Iterator[Any]:
    """Yield the quads of one RDF file as Oxigraph parses them, without holding the file whole.

    Turtle, TriG, N-Triples and N-Quads (gzipped or not) stream from the file, so memory follows
    what the caller keeps, not the file's size; RDF/XML and JSON-LD are read whole first (within
    the cap), since their guards look at the whole document. A syntax error is raised when the
    parser reaches it, so callers load into a scratch store and keep it only once this finishes.
    """
    where = str(path)
    base_iri = path.resolve().as_uri()  # relative IRIs resolve against the file: never a fetch
    with _open(path, limit) as reader:
        try:
            if fmt in STREAMED_FORMATS:
                yield from _strictly(io.BufferedReader(reader, _CHUNK), fmt, where, base_iri)
                return
            data = reader.read()
        except gzip.BadGzipFile as exc:
            raise InputError(f"{where}: not gzip data ({exc})") from None
        except (EOFError, OSError) as exc:
            raise InputError(f"{where}: cannot read ({exc})") from None
    yield from parse_rdf(data, fmt, where, base_iri=base_iri, limit=limit).quads


def load_rdf_file(
    path: Path,
    fmt: str,
    store: Any,
    limit: int | None = MAX_INPUT_BYTES,
    tap: Callable[[bytes], None] | None = None,
) -> None:
    """Load one N-Triples or N-Quads file (gzipped or not) into ``store``, all inside Oxigraph.

    No Python object is made per quad, which matters at a million quads. ``tap``, if given,
    sees every chunk of the text as it streams by (to note what it needs on the way). The store
    should be a fresh one: after an error it may hold part of the file.
    """
    import pyoxigraph

    if fmt not in LINE_FORMATS:
        raise ValueError(f"{fmt} is not a line-based format")
    with _open(path, limit) as reader:
        reader.tap = tap
        try:
            store.bulk_load(  # buffered: Oxigraph reads 2 KiB at a time, and the tap is Python
                input=io.BufferedReader(reader, _CHUNK),
                format=getattr(pyoxigraph.RdfFormat, fmt),
                base_iri=path.resolve().as_uri(),
            )
        except (SyntaxError, ValueError, MemoryError, EOFError, OSError) as exc:
            raise _input_error(exc, fmt, str(path)) from None


def read_rdf_file(path: Path, fmt: str, limit: int | None = MAX_INPUT_BYTES) -> ParsedRDF:
    """Read and strictly parse one RDF file, measuring it before reading a byte."""
    return ParsedRDF(list(iter_rdf_file(path, fmt, limit)))


def to_rdflib(quads: list[Any]) -> Any:
    """Return the triples of ``quads`` (graph names dropped) as an rdflib ``Graph``.

    rdflib never parses user text: it gets terms that Oxigraph has already checked, so its
    laxer parsers, its recursion and its remote-context loader are never involved.
    """
    from rdflib import Graph

    graph = Graph()
    for quad in quads:
        graph.add(tuple(rdflib_term(term) for term in (quad.subject, quad.predicate, quad.object)))
    return graph


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def rdflib_term(term: Any) -> Any:
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
