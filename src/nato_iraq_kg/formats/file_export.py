"""Export an RDF file of any of our syntaxes to one dump syntax, byte-stable, without rdflib graphs.

The file is parsed once by Oxigraph's strict parser (streamed, under the input cap; a large
N-Triples or N-Quads file in pieces on every core, :mod:`.parallel_lines`), written as sorted
canonical N-Triples or N-Quads lines by Oxigraph (:mod:`.canonical_lines`), and those are the
N-Triples and N-Quads exports. Turtle, TriG, RDF/XML and JSON-LD are written from the same
lines by the build's own writers (:mod:`.from_lines` gives them terms without a ``Graph``), so a
file exported here and the build's dump of the same statements have the same bytes.
:func:`export_file` returns the bytes; :func:`export_file_to` writes them to a file, N-Triples
and N-Quads as they are made, never held whole (:mod:`.sorted_output`).

Facts syntaxes (nt, ttl, xml, jsonld) hold the union of the file's graphs, each triple once; nq
and trig hold its quads.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..guard.cycle_collection import paused_cycle_collection
from ..guard.rdf_input import MAX_INPUT_BYTES, is_gzip
from .parallel_lines import sorted_text_of_file
from .registry import syntax, syntax_of_file
from .sorted_output import write_sorted_text_of_file


def export_file(path: Path, key: str, limit: int | None = MAX_INPUT_BYTES) -> bytes:
    """Return the statements of the RDF file ``path`` in syntax ``key`` (``nt``, ``ttl``, ...)."""
    with paused_cycle_collection():
        return _export(path, key, limit)


def export_file_to(path: Path, key: str, output: Path, limit: int | None = MAX_INPUT_BYTES) -> None:
    """Write :func:`export_file`'s bytes to the file ``output``, which is whole or untouched.

    N-Triples and N-Quads go to the file as they are made (:mod:`.sorted_output`), never held
    whole: at a million statements that spares 230 MB of fresh memory and a copy. The other
    syntaxes are made whole by their writers anyway, and written as the build writes its files.
    Bad input raises as :func:`export_file` raises; a failure to write raises ``OSError``.
    """
    target = syntax(key)
    with paused_cycle_collection():
        if target.key not in ("nt", "nq"):
            from .turtle import write_atomically

            write_atomically(output, _export(path, key, limit))
            return
        source = syntax_of_file(path.with_suffix("") if is_gzip(path) else path)
        with _atomic_file(output) as written:
            write_sorted_text_of_file(
                path, source.oxigraph_name, target.holds_datasets, written, limit
            )


@contextmanager
def _atomic_file(path: Path) -> Iterator[int]:
    """Give a descriptor of a new file that becomes ``path`` only if the block ends normally.

    As :func:`.turtle.write_atomically` does for a text it is given: a temporary file in the
    same folder, synced, readable by all that the umask allows, then renamed over ``path``, so
    a reader sees the old file or the new one, never a part; on any failure it is removed.
    """
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            yield handle
            os.fsync(handle)
        finally:
            os.close(handle)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; a dump is for everyone to read
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _export(path: Path, key: str, limit: int | None) -> bytes:
    target = syntax(key)
    source = syntax_of_file(path.with_suffix("") if is_gzip(path) else path)
    text = sorted_text_of_file(path, source.oxigraph_name, target.holds_datasets, limit)
    if target.key in ("nt", "nq"):
        return text
    # imported here: rdflib's terms, which these writers use, take a fifth of a second to import
    from .from_lines import TripleIndex, named_graphs, triples
    from .jsonld import to_jsonld_bytes
    from .registry import writers

    lines = text.split(b"\n")
    lines.pop()  # after the last newline
    if target.key == "jsonld":  # the same writer, its bytes as they come
        return to_jsonld_bytes(TripleIndex(triples(lines)))  # type: ignore[arg-type]
    write = writers()[target.key]
    if target.holds_datasets:
        return write(named_graphs(lines)).encode("utf-8")
    return write(TripleIndex(triples(lines))).encode("utf-8")
