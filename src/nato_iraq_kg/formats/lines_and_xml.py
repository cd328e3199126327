"""Every standard RDF syntax, byte-stable: N-Triples, N-Quads and RDF/XML beside Turtle and TriG.

Line-based syntaxes are written one statement per line, sorted. RDF/XML is written here too,
one ``rdf:Description`` per subject in sorted order, because rdflib's XML writer follows its
store's iteration order. Literals that no XML document can carry (control characters, lone
surrogates) are refused before anything is written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ..errors import CheckFailure
from ..guard.language import check_language
from ..namespaces import prefixes

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


_NT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _nt_string(text: str) -> str:
    if re.search("[\ud800-\udfff]", text):
        raise CheckFailure(f"literal {text[:40]!r} contains a lone surrogate")

    def escape_char(match: re.Match[str]) -> str:
        char = match.group(0)
        return _NT_ESCAPES.get(char) or f"\\u{ord(char):04X}"

    return '"' + re.sub('[\\\\"\x00-\x1f\x7f]', escape_char, text) + '"'


def _nt_term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = _nt_string(str(node))
        if node.language:
            return f"{text}@{check_language(node.language)}"
        if node.datatype and str(node.datatype) != "http://www.w3.org/2001/XMLSchema#string":
            return f"{text}^^<{node.datatype}>"
        return text
    raise CheckFailure(f"blank nodes are not written: {node!r}")


def check_iri(node: URIRef) -> None:
    """Refuse an IRI that no syntax may carry (spaces, angle brackets, quotes, braces)."""
    if re.search(r'[\s<>"{}|\\^`]', str(node)):
        raise CheckFailure(f"IRI {str(node)!r} contains characters no RDF syntax allows")


def ntriples(graph: Graph) -> str:
    """Return ``graph`` as N-Triples, one sorted statement per line.

    Each distinct term is checked and written once: a graph names the same IRIs and literals many
    times, and at a million triples that halves the time.
    """
    known: dict[Node, str] = {}

    def text(term: Node) -> str:
        found = known.get(term)
        if found is None:
            if isinstance(term, URIRef):
                check_iri(term)
            found = known[term] = _nt_term(term)
        return found

    lines = [f"{text(s)} {text(p)} {text(o)} ." for s, p, o in graph]
    return "".join(line + "\n" for line in sorted(lines))


def nquads(graphs: Mapping[URIRef, Graph]) -> str:
    """Return named graphs as N-Quads, one sorted statement per line."""
    lines = []
    for name, graph in graphs.items():
        check_iri(name)
        # split("\n"), not splitlines(): that also splits at U+0085, U+2028 and U+2029, which
        # N-Triples leaves unescaped inside literals
        for line in ntriples(graph).split("\n")[:-1]:
            lines.append(f"{line[:-2]} {name.n3()} .")
    return "".join(line + "\n" for line in sorted(lines))


def _split(iri: str, namespaces: dict[str, str]) -> tuple[str, str]:
    """Split a property IRI into (namespace, local name) with an XML-valid local name."""
    best = ""
    for namespace in namespaces.values():
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and len(namespace) > len(best) and _NCNAME.fullmatch(local):
            best = namespace
    if best:
        return best, iri[len(best) :]
    match = re.search(r"[A-Za-z_][A-Za-z0-9_.\-]*$", iri)
    if not match:
        raise CheckFailure(f"property {iri} cannot be written in RDF/XML (no XML local name)")
    return iri[: match.start()], match.group(0)


def rdfxml(graph: Graph) -> str:
    """Return ``graph`` as RDF/XML: sorted subjects, sorted properties, declared prefixes."""
    known = prefixes()
    by_namespace = {ns: prefix for prefix, ns in known.items()}
    statements: dict[URIRef, list[tuple[str, str, Node]]] = defaultdict(list)
    used: dict[str, str] = {}
    split: dict[Node, tuple[str, str]] = {}  # each property split once, not once per statement
    for s, p, o in graph:
        if not isinstance(s, URIRef) or not isinstance(o, URIRef | Literal):
            raise CheckFailure(f"blank nodes are not written: {s!r} {p!r} {o!r}")
        parts = split.get(p)
        if parts is None:
            parts = split[p] = _split(str(p), known)
        namespace, local = parts
        prefix = by_namespace.get(namespace) or used.get(namespace)
        if prefix is None:
            prefix = f"ns{len([u for u in used.values() if u.startswith('ns')]) + 1}"
        used[namespace] = prefix
        if isinstance(o, Literal) and _XML_FORBIDDEN.search(str(o)):
            raise CheckFailure(f"literal of {s} {p} has characters XML 1.0 cannot carry")
        statements[s].append((prefix, local, o))  # type: ignore[index]
    used.setdefault(str(RDF), "rdf")
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    for namespace, prefix in sorted(used.items(), key=lambda kv: kv[1]):
        out.append(f"   xmlns:{prefix}={quoteattr(namespace)}")
    out[-1] += ">"
    for subject in sorted(statements, key=str):
        check_iri(subject)
        out.append(f"  <rdf:Description rdf:about={quoteattr(str(subject))}>")
        for prefix, local, obj in sorted(
            statements[subject], key=lambda t: (t[0], t[1], t[2].n3())
        ):
            tag = f"{prefix}:{local}"
            if isinstance(obj, URIRef):
                check_iri(obj)
                out.append(f"    <{tag} rdf:resource={quoteattr(str(obj))}/>")
                continue
            attributes = ""
            if obj.language:
                attributes = f" xml:lang={quoteattr(check_language(obj.language))}"
            elif obj.datatype:
                attributes = f" rdf:datatype={quoteattr(str(obj.datatype))}"
            text = escape(str(obj), {"\r": "&#13;"})
            out.append(f"    <{tag}{attributes}>{text}</{tag}>")
        out.append("  </rdf:Description>")
    out.append("</rdf:RDF>")
    return "\n".join(out) + "\n"
