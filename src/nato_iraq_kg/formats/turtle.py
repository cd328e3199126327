"""Byte-stable Turtle and TriG, written atomically.

rdflib's serialisers are correct but do not promise an order, so the same graph may come out in a
different order from one run to the next. This writer sorts subjects, predicates (``a`` first) and
objects, writes no timestamps, and uses one fixed prefix map, so a build is byte-identical to the
last one whenever the facts are the same.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, NamespaceManager
from rdflib.term import Node

from ..guard.language import check_language
from ..namespaces import prefixes


def namespace_manager(prefix_map: Mapping[str, str] | None = None) -> NamespaceManager:
    """Return a namespace manager bound to exactly the project's prefixes."""
    manager = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    for prefix, namespace in (prefix_map or prefixes()).items():
        manager.bind(prefix, namespace, override=True, replace=True)
    return manager


_RDF_TYPE = RDF.type  # rdflib builds a Namespace attribute anew on each access

#: A conservative Turtle local name: no escapes needed, safe in every Turtle and TriG parser.
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")


class _Terms:
    """Writes terms for one serialisation, remembering each: a dump names one IRI many times.

    Looking the prefixes up again for every occurrence (rdflib rebuilds its namespace list on each
    call) took most of a build's rendering time.
    """

    def __init__(self, manager: NamespaceManager) -> None:
        self.manager = manager
        self.namespaces = [(str(p), str(ns)) for p, ns in manager.namespaces()]
        self.known: dict[Node, str] = {}
        self.predicates: dict[Node, str] = {}
        #: The first prefix of each namespace; usable when every namespace ends in / or #, as
        #: ours do: then the namespaces an IRI may start with end where one of its / or # is.
        self.by_namespace: dict[str, str] = {}
        for prefix, namespace in self.namespaces:
            self.by_namespace.setdefault(namespace, prefix)
        self.cut_at_separators = all(ns[-1:] in ("/", "#") for _, ns in self.namespaces)

    def iri(self, node: URIRef) -> str:
        """Return the IRI as ``prefix:local`` by the longest namespace that fits, else ``<...>``."""
        text = str(node)
        if self.cut_at_separators:
            return self._iri_by_separators(node, text)
        best, chosen = "", ""
        for prefix, namespace in self.namespaces:
            if text.startswith(namespace) and len(namespace) > len(best):
                local = text[len(namespace) :]
                if _LOCAL_NAME.fullmatch(local):
                    best = namespace
                    chosen = f"{prefix}:{local}"
        return chosen if best else node.n3()

    def _iri_by_separators(self, node: URIRef, text: str) -> str:
        """Return what :meth:`iri` returns, looking up only the namespaces the IRI can start with.

        Trying every namespace for every distinct IRI cost seconds at a million statements.
        """
        end = len(text)
        while True:
            end = max(text.rfind("/", 0, end), text.rfind("#", 0, end))
            if end < 0:
                return node.n3()
            prefix = self.by_namespace.get(text[: end + 1])
            if prefix is not None and _LOCAL_NAME.fullmatch(text[end + 1 :]):
                return f"{prefix}:{text[end + 1 :]}"

    def term(self, node: Node) -> str:
        """Return any IRI or literal as Turtle text; blank nodes are refused."""
        found = self.known.get(node)
        if found is None:
            if isinstance(node, URIRef):
                found = self.iri(node)
            elif isinstance(node, Literal):
                if node.language:
                    check_language(node.language)
                found = node.n3(self.manager)
            else:
                raise ValueError(f"blank nodes are not written by this serialiser: {node!r}")
            self.known[node] = found
        return found

    def predicate(self, node: Node) -> str:
        """Return a predicate as Turtle text, ``a`` for ``rdf:type``."""
        found = self.predicates.get(node)
        if found is None:
            found = self.predicates[node] = "a" if node == _RDF_TYPE else self.term(node)
        return found


def _body(graph: Graph, terms: _Terms, indent: str = "") -> list[str]:
    by_subject: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in graph:
        by_subject[s][p].append(o)
    lines: list[str] = []
    for subject in sorted(by_subject, key=terms.term):
        predicates = by_subject[subject]
        # "a" (rdf:type) first, then by text: no other predicate is written "a"
        order = sorted((terms.predicate(p), p) for p in predicates)
        order.sort(key=lambda pair: pair[0] != "a")
        lines.append(indent + terms.term(subject))
        for number, (text, predicate) in enumerate(order):
            objects = sorted({terms.term(o) for o in predicates[predicate]})
            end = " ." if number == len(order) - 1 else " ;"
            lines.append(f"{indent}    {text} {', '.join(objects)}{end}")
        lines.append("")
    return lines


def _header(manager: NamespaceManager) -> list[str]:
    bound = sorted((str(p), str(ns)) for p, ns in manager.namespaces())
    return [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in bound] + [""]


def turtle(graph: Graph, prefix_map: Mapping[str, str] | None = None) -> str:
    """Return ``graph`` as sorted Turtle with the project's prefixes."""
    manager = namespace_manager(prefix_map)
    return "\n".join(_header(manager) + _body(graph, _Terms(manager)))


def trig(graphs: Mapping[URIRef, Graph], prefix_map: Mapping[str, str] | None = None) -> str:
    """Return the named ``graphs`` as sorted TriG, one block per graph, ordered by graph IRI."""
    manager = namespace_manager(prefix_map)
    lines = _header(manager)
    terms = _Terms(manager)
    for name in sorted(graphs, key=str):
        graph = graphs[name]
        if len(graph) == 0:
            continue
        lines.append(f"{name.n3(manager)} {{")
        body = _body(graph, terms, indent="    ")
        lines += body[:-1] if body and body[-1] == "" else body
        lines.append("}")
        lines.append("")
    return "\n".join(lines)


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` so readers see the old file or the new one, never a part.

    Text is written as UTF-8 with ``\\n`` line ends; bytes (an export of a large file, already
    encoded) as they are, so 300 MB are not decoded only to be encoded again.
    """
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content.encode("utf-8") if isinstance(content, str) else content)
            stream.flush()
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; a dump is for everyone to read
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
