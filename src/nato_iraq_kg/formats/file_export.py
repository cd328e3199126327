"""Export an RDF file of any of our syntaxes to one dump syntax, byte-stable, without rdflib graphs.

The file is parsed once by Oxigraph's strict parser (streamed, under the input cap; a large
N-Triples or N-Quads file in pieces on every core, :mod:`.parallel_lines`), written as sorted
canonical N-Triples or N-Quads lines by Oxigraph (:mod:`.canonical_lines`), and those are the
N-Triples and N-Quads exports. Turtle, TriG, RDF/XML and JSON-LD are written from the same
lines by the build's own writers (:mod:`.from_lines` gives them terms without a ``Graph``), so a
file exported here and the build's dump of the same statements have the same bytes.

Facts syntaxes (nt, ttl, xml, jsonld) hold the union of the file's graphs, each triple once; nq
and trig hold its quads.
"""

from __future__ import annotations

from pathlib import Path

from ..guard.cycle_collection import paused_cycle_collection
from ..guard.rdf_input import MAX_INPUT_BYTES, is_gzip
from .from_lines import TripleIndex, named_graphs, triples
from .jsonld import to_jsonld_bytes
from .parallel_lines import sorted_text_of_file
from .registry import syntax, syntax_of_file, writers


def export_file(path: Path, key: str, limit: int | None = MAX_INPUT_BYTES) -> bytes:
    """Return the statements of the RDF file ``path`` in syntax ``key`` (``nt``, ``ttl``, ...)."""
    with paused_cycle_collection():
        return _export(path, key, limit)


def _export(path: Path, key: str, limit: int | None) -> bytes:
    target = syntax(key)
    source = syntax_of_file(path.with_suffix("") if is_gzip(path) else path)
    text = sorted_text_of_file(path, source.oxigraph_name, target.holds_datasets, limit)
    if target.key in ("nt", "nq"):
        return text
    lines = text.split(b"\n")
    lines.pop()  # after the last newline
    if target.key == "jsonld":  # the same writer, its bytes as they come
        return to_jsonld_bytes(TripleIndex(triples(lines)))  # type: ignore[arg-type]
    write = writers()[target.key]
    if target.holds_datasets:
        return write(named_graphs(lines)).encode("utf-8")
    return write(TripleIndex(triples(lines))).encode("utf-8")
