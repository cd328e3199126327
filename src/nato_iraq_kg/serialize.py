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

from .namespaces import prefixes
from .safety import check_language


def namespace_manager(prefix_map: Mapping[str, str] | None = None) -> NamespaceManager:
    """Return a namespace manager bound to exactly the project's prefixes."""
    manager = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    for prefix, namespace in (prefix_map or prefixes()).items():
        manager.bind(prefix, namespace, override=True, replace=True)
    return manager


#: A conservative Turtle local name: no escapes needed, safe in every Turtle and TriG parser.
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")


def _iri(node: URIRef, manager: NamespaceManager) -> str:
    text = str(node)
    best = ""
    for prefix, namespace in manager.namespaces():
        if text.startswith(str(namespace)) and len(str(namespace)) > len(best):
            local = text[len(str(namespace)) :]
            if _LOCAL_NAME.fullmatch(local):
                best = str(namespace)
                chosen = f"{prefix}:{local}"
    return chosen if best else node.n3()


def _predicate(node: Node, manager: NamespaceManager) -> str:
    return "a" if node == RDF.type else _term(node, manager)


def _term(node: Node, manager: NamespaceManager) -> str:
    if isinstance(node, URIRef):
        return _iri(node, manager)
    if isinstance(node, Literal):
        if node.language:
            check_language(node.language)
        return node.n3(manager)
    raise ValueError(f"blank nodes are not written by this serialiser: {node!r}")


def _body(graph: Graph, manager: NamespaceManager, indent: str = "") -> list[str]:
    by_subject: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in graph:
        by_subject[s][p].append(o)
    lines: list[str] = []
    for subject in sorted(by_subject, key=lambda n: _term(n, manager)):
        predicates = by_subject[subject]
        order = sorted(predicates, key=lambda p: (p != RDF.type, _predicate(p, manager)))
        lines.append(indent + _term(subject, manager))
        for number, predicate in enumerate(order):
            objects = sorted({_term(o, manager) for o in predicates[predicate]})
            end = " ." if number == len(order) - 1 else " ;"
            lines.append(f"{indent}    {_predicate(predicate, manager)} {', '.join(objects)}{end}")
        lines.append("")
    return lines


def _header(manager: NamespaceManager) -> list[str]:
    bound = sorted((str(p), str(ns)) for p, ns in manager.namespaces())
    return [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in bound] + [""]


def turtle(graph: Graph, prefix_map: Mapping[str, str] | None = None) -> str:
    """Return ``graph`` as sorted Turtle with the project's prefixes."""
    manager = namespace_manager(prefix_map)
    return "\n".join(_header(manager) + _body(graph, manager))


def trig(graphs: Mapping[URIRef, Graph], prefix_map: Mapping[str, str] | None = None) -> str:
    """Return the named ``graphs`` as sorted TriG, one block per graph, ordered by graph IRI."""
    manager = namespace_manager(prefix_map)
    lines = _header(manager)
    for name in sorted(graphs, key=str):
        graph = graphs[name]
        if len(graph) == 0:
            continue
        lines.append(f"{name.n3(manager)} {{")
        body = _body(graph, manager, indent="    ")
        lines += body[:-1] if body and body[-1] == "" else body
        lines.append("}")
        lines.append("")
    return "\n".join(lines)


def write_atomically(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` so readers see the old file or the new one, never a part."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; a dump is for everyone to read
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
