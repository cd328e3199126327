"""JSON-LD views of the facts graph, byte-stable, with a hand-written context that never fetches.

``ontology/context.jsonld`` gives every term its IRI's local name (``label``, ``sameAs``,
``subEventOf``, ``InternationalOrganization``), aliases ``id``/``type`` to ``@id``/``@type`` and
keeps the Turtle prefixes (``actor:nato``, ``date:2016-03``). Terms and prefixes share one name
space in JSON-LD, so the three properties named like an id kind are ``hasDate`` (nik:date),
``hasPlace`` (nik:place) and ``hasQuantity`` (nik:quantity).

Compaction is done here, not by a JSON-LD library: the facts are flat (IRIs and literals, no blank
nodes, no lists), so choosing a term is a lookup, and the output is sorted by construction. A value
that no term fits (a label without a language, an unexpected datatype) falls back to a compact-IRI
key with a full value object, so nothing is lost. Integers and booleans that fit a coerced term are
written as JSON numbers and booleans. pyld, an independent processor, is only used to check.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from ..guard.language import check_language
from ..namespaces import ID, NIK
from ..paths import project_root

_RDF_TYPE = RDF.type  # rdflib builds a Namespace attribute anew on each access
#: ``x in _TYPE`` is ``x == RDF.type`` without a Python-level ``__eq__`` call for other IRIs.
_TYPE = frozenset({_RDF_TYPE})
#: How a value is written under the term chosen for it (:meth:`_Compactor.entry`).
_AS_IRI, _AS_NATIVE, _AS_TEXT, _NO_TERM = range(4)
_NATIVE_INTEGER = {XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger}
_CANONICAL_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,14})")
_ORJSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


def load_context(path: Path | None = None) -> dict:
    """Return the term definitions (the ``@context`` object) of ``ontology/context.jsonld``."""
    path = path or project_root() / "ontology" / "context.jsonld"
    return json.loads(path.read_text(encoding="utf-8"))["@context"]


def _context(context: dict | None) -> dict:
    """Return the term definitions, from the project file if none, unwrapping a full document."""
    context = load_context() if context is None else context
    return context.get("@context", context)


class _Compactor:
    """Term selection and IRI compaction for one context."""

    def __init__(self, context: dict) -> None:
        self.prefixes = {
            name: value
            for name, value in context.items()
            if isinstance(value, str) and not name.startswith("@") and value[-1:] in "/#"
        }
        aliases = {value: name for name, value in context.items() if value in ("@id", "@type")}
        self.id_key = aliases.get("@id", "@id")
        self.type_key = aliases.get("@type", "@type")
        self.classes: dict[str, str] = {}
        self.compacted: dict[Node, str] = {}  # each IRI once: a large graph names each many times
        #: The prefix chosen for each namespace (the shortest name, then the first in order):
        #: every namespace ends in / or #, so an IRI can only start with the ones cut there.
        self.by_namespace: dict[str, str] = {}
        for name, namespace in sorted(self.prefixes.items(), key=lambda kv: (len(kv[0]), kv[0])):
            self.by_namespace.setdefault(namespace, name)
        self.terms: dict[str, list[tuple[str, dict]]] = defaultdict(list)
        self.choices: dict[tuple[str, int, str | None, str | None], tuple[str, int, bool]] = {}
        self.languages: set[str] = set()
        for name, value in sorted(context.items()):
            if name.startswith("@") or name in self.prefixes or value in ("@id", "@type"):
                continue
            if isinstance(value, str):
                self.classes.setdefault(self._expand(value), name)
            else:
                self.terms[self._expand(value["@id"])].append((name, value))

    def _expand(self, value: str) -> str:
        prefix, colon, rest = value.partition(":")
        return self.prefixes[prefix] + rest if colon and prefix in self.prefixes else value

    def iri(self, node: Node) -> str:
        """Return ``node`` as a compact IRI with the longest matching prefix, else in full."""
        found = self.compacted.get(node)
        if found is None:
            found = self.compacted[node] = self._compact(node)
        return found

    def _compact(self, node: Node) -> str:
        if not isinstance(node, URIRef):
            raise ValueError(f"only IRIs can be compacted here, not {node!r}")
        text, end = str(node), len(str(node))
        if "" not in self.by_namespace:
            while end >= 0:  # from the longest namespace the IRI may start with to the shortest
                end = max(text.rfind("/", 0, end), text.rfind("#", 0, end))
                prefix, rest = self.by_namespace.get(text[: end + 1]), text[end + 1 :]
                if end >= 0 and prefix is not None and rest and not rest.startswith("//"):
                    return f"{prefix}:{rest}"
            return text
        best = None
        for prefix, namespace in self.prefixes.items():
            rest = text[len(namespace) :]
            if text.startswith(namespace) and rest and not rest.startswith("//"):
                candidate = (-len(namespace), len(prefix), prefix)
                best = min(best, candidate) if best else candidate
        return f"{best[2]}:{text[-best[0] :]}" if best else text

    def type_name(self, node: Node) -> str:
        """Return a class as its term, else as a compact IRI."""
        return self.classes.get(str(node)) or self.iri(node)

    def entry(self, predicate: URIRef, value: Node) -> tuple[str, Any, bool]:
        """Return the key, the compacted value and whether the key is an ``@set`` term.

        Which term fits depends only on the predicate, the kind of value and a literal's
        datatype and language, so that choice is made once per combination (a large graph
        repeats a few hundred of them a million times) and only the value is written each time.
        """
        if isinstance(value, URIRef):
            shape: tuple[str, int, str | None, str | None] = (str(predicate), 0, None, None)
        elif isinstance(value, Literal):
            datatype = str(value.datatype) if value.datatype else None
            shape = (str(predicate), 1, datatype, value.language)
        else:
            shape = (str(predicate), 2, None, None)
        choice = self.choices.get(shape)
        if choice is None:
            choice = self.choices[shape] = self._choice(*shape)
        name, how, is_set = choice
        if how == _AS_IRI:
            return name, self.iri(value), is_set
        if how == _AS_NATIVE:
            return name, _native(value), is_set  # type: ignore[arg-type]
        if how == _AS_TEXT:
            return name, str(value), is_set
        return self.iri(predicate), self._value_object(value), False

    def _choice(
        self, predicate: str, kind_of_value: int, datatype: str | None, language: str | None
    ) -> tuple[str, int, bool]:
        """Return the term that fits (its name, how the value is written, ``@set``) or none.

        The terms of ``predicate`` are tried in order, as each value was tried before.
        """
        for name, definition in self.terms.get(predicate, []):
            kind, wanted = definition.get("@type"), definition.get("@language")
            is_set = definition.get("@container") == "@set"
            if kind_of_value == 0 and kind == "@id":
                return name, _AS_IRI, is_set
            if kind_of_value != 1 or kind == "@id":
                continue
            if kind is not None and datatype == self._expand(kind):
                return name, _AS_NATIVE, is_set
            if kind is None and language == wanted and datatype is None:
                return name, _AS_TEXT, is_set
        return "", _NO_TERM, False

    def check_language(self, tag: str) -> None:
        """Refuse a tag that is not BCP 47 (:func:`check_language`), each tag checked once."""
        if tag not in self.languages:
            check_language(tag)
            self.languages.add(tag)

    def _value_object(self, value: Node) -> Any:
        if isinstance(value, URIRef):
            return {"@id": self.iri(value)}
        if not isinstance(value, Literal):
            raise ValueError(f"blank nodes are not written as JSON-LD here: {value!r}")
        if value.language:
            return {"@language": value.language, "@value": str(value)}
        if value.datatype and value.datatype != XSD.string:
            return {"@type": self.iri(value.datatype), "@value": str(value)}
        return str(value)


def _native(value: Literal) -> Any:
    """Return a canonical integer or boolean as a JSON number or boolean, anything else as text."""
    text = str(value)
    if value.datatype in _NATIVE_INTEGER and _CANONICAL_INTEGER.fullmatch(text):
        return int(text)
    if value.datatype == XSD.boolean and text in ("true", "false"):
        return text == "true"
    return text


def _order(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _node(
    graph: Graph,
    subject: Node,
    compactor: _Compactor,
    embed: Callable[[URIRef, URIRef], dict | None] | None = None,
) -> dict:
    """Return one node object; ``embed(predicate, object)`` may replace an IRI by a nested node."""
    entries: dict[str, list] = defaultdict(list)
    sets: set[str] = set()
    for predicate, value in graph.predicate_objects(subject):
        if predicate in _TYPE:
            entries[compactor.type_key].append(compactor.type_name(value))
            continue
        if isinstance(value, Literal) and value.language:
            compactor.check_language(value.language)
        key, compacted, is_set = compactor.entry(predicate, value)
        nested = embed(predicate, value) if embed and isinstance(value, URIRef) else None
        entries[key].append(compacted if nested is None else nested)
        if is_set:
            sets.add(key)
    node: dict[str, Any] = {compactor.id_key: compactor.iri(subject)}
    for key, values in entries.items():
        if len(values) > 1:
            values = sorted(values, key=_order)
        node[key] = values if key in sets or len(values) > 1 else values[0]
    return node


def document_bytes(document: dict) -> bytes:
    """Return ``document`` as UTF-8 JSON, two-space indented, keys sorted, ending in a newline.

    The bytes of ``json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\\n"``,
    written by orjson: with an indent, the standard library encodes in Python (a third of a
    1M export); orjson gives the same bytes for what our documents hold (text, integers,
    booleans: same separators, same escapes, keys in code point order; tested on strings built
    to differ; a float would not be, and none is written). What orjson refuses (a lone
    surrogate, an integer past 64 bits) is written by ``json`` as before, and fails or succeeds
    as it did.
    """
    try:
        return orjson.dumps(document, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError is one
        return _standard_text(document).encode("utf-8")


def _standard_text(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _dump(context: dict, nodes: list[dict]) -> str:
    return document_text({"@context": context, "@graph": nodes})


def document_text(document: dict) -> str:
    """Return :func:`document_bytes` as text (a str as before, even one UTF-8 cannot carry)."""
    try:
        return orjson.dumps(document, option=_ORJSON_OPTIONS).decode("utf-8")
    except TypeError:
        return _standard_text(document)


def to_jsonld(graph: Graph, context: dict | None = None) -> str:
    """Return ``graph`` as compacted JSON-LD with the context inline, nodes sorted by id."""
    return document_text(_compacted(graph, context))


def to_jsonld_bytes(graph: Graph, context: dict | None = None) -> bytes:
    """Return :func:`to_jsonld` encoded as UTF-8, without a str of the whole document between.

    A large export writes bytes: decoding orjson's bytes only to encode them again costs a
    copy of a hundred megabytes each way at a million statements.
    """
    return document_bytes(_compacted(graph, context))


def _compacted(graph: Graph, context: dict | None) -> dict:
    """Return the compacted document of ``graph``: the context, and its nodes sorted by id."""
    context = _context(context)
    compactor = _Compactor(context)
    nodes = [_node(graph, subject, compactor) for subject in set(graph.subjects())]
    nodes.sort(key=lambda node: node[compactor.id_key])
    return {"@context": context, "@graph": nodes}


def _dates(graph: Graph, event: Node) -> list[Node]:
    return [d for d in graph.objects(event, NIK.date) if graph.value(d, NIK.earliestDate)]


def timeline_jsonld(graph: Graph, context: dict | None = None) -> str:
    """Return the dated events as a framed JSON-LD document, in date order then by id.

    Each event carries its own statements; its dates are embedded whole (label, earliestDate,
    latestDate, unitType for the precision), every other node it links to (place, agents,
    participants, programme, parent event) as ``id`` + ``label``. An event dated at two precisions
    sorts by the later of its earliest dates: it cannot have happened before either.
    """
    context = _context(context)
    compactor = _Compactor(context)

    def embed(predicate: URIRef, value: URIRef) -> dict:
        if predicate == NIK.date:
            return _node(graph, value, compactor)
        nested: dict[str, Any] = {compactor.id_key: compactor.iri(value)}
        for label in graph.objects(value, RDFS.label):
            key, compacted, _ = compactor.entry(RDFS.label, label)
            nested[key] = compacted
        return nested

    events = {s for s in graph.subjects(NIK.date) if str(s).startswith(f"{ID}event/")}
    dated = [event for event in events if _dates(graph, event)]

    def when(event: Node) -> tuple[str, str]:
        earliest = max(str(graph.value(d, NIK.earliestDate)) for d in _dates(graph, event))
        return earliest, compactor.iri(event)

    nodes = [_node(graph, event, compactor, embed) for event in sorted(dated, key=when)]
    return _dump(context, nodes)
