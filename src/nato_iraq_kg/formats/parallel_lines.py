"""Sorted canonical lines of a large N-Triples/N-Quads file, parsed in pieces on every core.

Why: at a million statements, Oxigraph's strict parse and write is about 2.8 s of CPU, and
pyoxigraph holds the GIL while it makes each statement's Python object, so threads do not help.
N-Triples and N-Quads are line-based (a statement never spans a line jump, and nothing carries
over from one line to the next: no prefixes, no base), so the file is cut after line feeds into
pieces, each piece is parsed and written by its own process (forked: nothing is pickled, and a
child's text comes back through shared memory), and the sorted, distinct lines of the pieces
are merged. Our dumps are sorted, so the pieces' lines follow each other and merging is joining
their texts.

Cut after line feeds, a file whose pieces all parse is a file that parses whole, with the same
statements. Whenever a piece fails (a syntax error, a statement our writers refuse, a process
that dies) or the file is not a plain N-Triples/N-Quads file (gzip, Turtle, ...), the whole
file is read again in one piece, by the same route as before, so every error names the same
line and says the same thing as before.
"""

from __future__ import annotations

import io
import itertools
import mmap
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from ..guard.fork_safety import fork_is_safe
from ..guard.rdf_input import LINE_FORMATS, MAX_INPUT_BYTES, is_gzip, iter_rdf_file
from .canonical_lines import join_lines, sorted_blocks, sorted_distinct, sorted_text
from .kept_heap import kept_heap

#: Smallest piece worth a process of its own: forking and mapping the result back cost a few
#: milliseconds; the real data (2.7 MB of N-Quads) is read in one piece.
MIN_PIECE_BYTES = 8 * 1024 * 1024
#: Most pieces: more processes than cores would only wait for each other.
MAX_PIECES = 8
#: How much smaller than the others the parent's own piece is, as a share of one piece: after
#: its piece the parent joins every piece's text (a copy of the whole output; less the writes
#: to memory files that only the children make, about a twentieth of a piece), or copies the
#: children's texts to the output file (:mod:`.sorted_output`, a tenth of the cost of making
#: them), so with a smaller piece it starts that when the children end.
PARENT_LEAD = 0.05
_BOM = b"\xef\xbb\xbf"
#: A piece's sorted text: bytes made here, or a child's, mapped from its in-memory file.
Text = bytes | mmap.mmap
_SEEK_STEP = 1 << 16
#: Bytes of a piece read from the file at a time (Oxigraph asks for about 2 KiB at a time).
_READ_BYTES = 1 << 18


def sorted_text_of_file(
    path: Path,
    fmt: str,
    dataset: bool,
    limit: int | None = MAX_INPUT_BYTES,
    pieces: int | None = None,
) -> bytes:
    """Return the distinct canonical lines of the RDF file ``path``, sorted, each with a newline.

    ``fmt`` is the Oxigraph format name (``N_QUADS``, ``TURTLE``, ...); ``dataset`` True writes
    N-Quads, False N-Triples (graph names dropped). ``pieces`` is how many parts to parse at
    once: by default one per usable core, none smaller than :data:`MIN_PIECE_BYTES`. The bytes
    are the same whatever the number of pieces.
    """
    cuts = piece_cuts(path, fmt, limit, pieces)
    if len(cuts) > 2:
        found = text_in_pieces(path, fmt, dataset, cuts)
        if found is not None:
            return found
    return sorted_text(iter_rdf_file(path, fmt, limit), dataset)


def usable_cores() -> int:
    """Return how many cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Return True where a forked child is safe and cheap: Linux, and no other thread running.

    Linux for ``fork`` and ``memfd_create`` (how a child's result comes back).

    A thread holding a lock at the moment of ``fork`` leaves it held forever in the child, so a
    process with threads (a server, a test runner's helpers) reads the file in one piece.
    """
    return sys.platform.startswith("linux") and hasattr(os, "memfd_create") and fork_is_safe()


def piece_cuts(path: Path, fmt: str, limit: int | None, pieces: int | None) -> list[int]:
    """Return the byte offsets that bound the pieces, ``[]`` to read the file in one piece.

    Anything the one-piece route would refuse before parsing (a missing file, one over the cap)
    is read in one piece, so that route says so in its own words.
    """
    if fmt not in LINE_FORMATS or is_gzip(path) or not can_fork():
        return []
    try:
        size = path.stat().st_size
    except OSError:
        return []
    if limit is not None and size > limit:
        return []
    wanted = pieces or min(usable_cores(), size // MIN_PIECE_BYTES, MAX_PIECES)
    try:
        return line_cuts(path, size, wanted, PARENT_LEAD)
    except OSError:
        return []


def line_cuts(path: Path, size: int, pieces: int, lead: float = 0.0) -> list[int]:
    """Return about ``pieces`` + 1 offsets from 0 to ``size``, each inner one after a line feed.

    So each piece holds whole lines. The first piece is ``lead`` of a piece smaller than the
    others, which share the rest evenly. Fewer pieces come back when the lines are too few or
    too long to cut there (a file with no line feed at all is one piece).
    """
    first = int(size * (1 - lead) / pieces) if pieces > 1 else size
    cuts = [0]
    with path.open("rb") as stream:
        for number in range(1, pieces):
            target = first + (size - first) * (number - 1) // (pieces - 1)
            cut = _line_start_after(stream, max(target, cuts[-1]))
            if cut is None or cut >= size:
                break
            if cut > cuts[-1]:
                cuts.append(cut)
    cuts.append(size)
    return cuts


def _line_start_after(stream: Any, offset: int) -> int | None:
    """Return the offset just after the first line feed at or after ``offset``, None if none."""
    stream.seek(offset)
    while True:
        chunk = stream.read(_SEEK_STEP)
        if not chunk:
            return None
        found = chunk.find(b"\n")
        if found >= 0:
            return offset + found + 1
        offset += len(chunk)


def text_in_pieces(path: Path, fmt: str, dataset: bool, cuts: list[int]) -> bytes | None:
    """Return the merged lines of the pieces between ``cuts``, or None if any piece failed.

    The first piece is parsed here, each other one by a forked child, which writes its sorted
    text to an anonymous in-memory file (``memfd``) that the parent then maps: no pipe to read
    in 64 KiB pieces and copy again (multiprocessing's ``recv_bytes`` took 0.3 to 0.8 s for
    the 145 MB of half the 1M corpus). Each piece's text is made block by block
    (:func:`.canonical_lines.sorted_blocks`), so neither side holds it more than once. None
    too if the file is no longer ``cuts[-1]`` bytes or changed while it was read.
    """
    stamp = stamp_of(path)
    if stamp is None or stamp[0] != cuts[-1]:
        return None
    with ExitStack() as stack, kept_heap():
        children = started_children(stack, path, fmt, dataset, cuts)
        if children is None:
            return None
        own = _piece_or_none(path, fmt, dataset, cuts[0], cuts[1])
        if own is None:
            return None
        memories = finished_children(children)
        if memories is None or stamp_of(path) != stamp:
            return None
        mapped = [stack.enter_context(mapped_memory(memory)) for memory in memories]
        return merge_sorted_texts([*own, *mapped])


def started_children(
    stack: ExitStack, path: Path, fmt: str, dataset: bool, cuts: list[int]
) -> list[tuple[Any, int]] | None:
    """Start a child for each piece after the first, each with its memory file; None if none.

    Each child and memory file is closed (the child stopped if still running) when ``stack``
    is. None when a process or a memory file cannot be had: the file is then read whole.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    children = []
    try:
        for number, (start, end) in enumerate(itertools.pairwise(cuts[1:]), 1):
            memory = os.memfd_create(f"nato-iraq-kg-piece-{number}")
            stack.callback(os.close, memory)
            child = context.Process(
                target=_write_piece, args=(memory, path, fmt, dataset, start, end), daemon=True
            )
            child.start()
            stack.enter_context(_reaped(child))
            children.append((child, memory))
    except OSError:  # no process or memory file to be had: read the file in one piece
        return None
    return children


def finished_children(children: list[tuple[Any, int]]) -> list[int] | None:
    """Wait for the children; return their memory files in order, None if any of them failed."""
    memories = []
    for child, memory in children:
        child.join()
        if child.exitcode != 0:
            return None
        memories.append(memory)
    return memories


@contextmanager
def mapped_memory(memory: int, size: int | None = None) -> Iterator[Text]:
    """Map the first ``size`` bytes (all by default) of the file ``memory`` for reading.

    An empty one is ``b""``.
    """
    size = os.fstat(memory).st_size if size is None else size
    if size == 0:
        yield b""
        return
    with mmap.mmap(memory, size, access=mmap.ACCESS_READ) as mapped:
        yield mapped


@contextmanager
def _reaped(child: Any) -> Iterator[None]:
    """Stop and wait for a child on the way out.

    A child still running then is one whose work is no longer wanted (another piece failed, or
    the parent is interrupted).
    """
    try:
        yield
    finally:
        if child.is_alive():
            child.kill()
        child.join()


def stamp_of(path: Path) -> tuple[int, int] | None:
    """Return the file's size and modification time, to notice a file changed while read."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


def _write_piece(memory: int, path: Path, fmt: str, dataset: bool, start: int, end: int) -> None:
    """In a child: write the piece's sorted text to ``memory``, or exit with status 1.

    Nothing is printed, not even for an interrupt: the parent reads the file whole instead, and
    reports what there is to report once.
    """
    try:
        with open(memory, "wb", closefd=False) as stream:
            with piece_statements(path, fmt, start, end) as statements:
                in_order = sorted_blocks(statements, dataset, stream.write)
            if not in_order:
                stream.seek(0)
                stream.truncate()
                stream.write(piece_text(path, fmt, dataset, start, end))
    except BaseException:  # the parent sees the status and reads the file whole
        raise SystemExit(1) from None


def _piece_or_none(path: Path, fmt: str, dataset: bool, start: int, end: int) -> list[bytes] | None:
    """Return the sorted distinct lines of bytes ``start``..``end`` as blocks, None on failure.

    Every failure is the same here: the whole file is then read in one piece, which raises the
    right error (with the line number in the whole file), or succeeds.
    """
    try:
        blocks: list[bytes] = []
        with piece_statements(path, fmt, start, end) as statements:
            in_order = sorted_blocks(statements, dataset, blocks.append)
        if in_order:
            return blocks
        return [piece_text(path, fmt, dataset, start, end)]  # out of order: sorted whole
    except Exception:  # any failure means "read it whole"
        return None


def piece_text(path: Path, fmt: str, dataset: bool, start: int, end: int) -> bytes:
    """Return the sorted distinct lines of bytes ``start``..``end`` of the file, as one text."""
    with piece_statements(path, fmt, start, end) as statements:
        return sorted_text(statements, dataset)


@contextmanager
def piece_statements(path: Path, fmt: str, start: int, end: int) -> Iterator[Iterator[Any]]:
    """Parse bytes ``start``..``end`` as the one-piece route parses the whole file.

    Same options (strict, base IRI the file's URI). The piece is read from the file as Oxigraph
    asks for it, through a small buffer, never whole: reading 150 MB into one ``bytes`` cost
    37,000 page faults of fresh memory per half of the 1M corpus.
    """
    import pyoxigraph

    with path.open("rb", buffering=0) as raw:
        if start == 0 and raw.read(len(_BOM)) == _BOM:  # skipped, as the one-piece reader does
            start = len(_BOM)
        raw.seek(start)
        yield pyoxigraph.parse(
            input=io.BufferedReader(_PieceReader(raw, end - start), _READ_BYTES),
            format=getattr(pyoxigraph.RdfFormat, fmt),
            base_iri=path.resolve().as_uri(),
        )


class _PieceReader(io.RawIOBase):
    """The next ``count`` bytes of an open file, and then its end, as a file of their own."""

    def __init__(self, raw: Any, count: int) -> None:
        super().__init__()
        self.raw = raw
        self.left = count

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        """Read into ``buffer`` what is left of the piece, at most its size."""
        if self.left <= 0:
            return 0
        with memoryview(buffer) as view:
            count = self.raw.readinto(view[: min(len(view), self.left)])
        if count:
            self.left -= count
        return count or 0


def merge_sorted_texts(texts: Sequence[Text]) -> bytes:
    """Return the distinct lines of several sorted texts of distinct lines, sorted, as one text.

    When each text's lines all come after the previous one's (a sorted file cut in order), the
    texts are joined as they are; a line at the seam that is in both (one triple of two graphs)
    is kept once. Otherwise every line is sorted again.
    """
    kept: list[Text | memoryview] = []
    last: bytes | None = None
    for text in texts:
        if not text:
            continue
        first_end = text.find(b"\n")
        first = text[:first_end]
        if last is not None and first < last:
            return _resorted(texts)
        kept.append(memoryview(text)[first_end + 1 :] if first == last else text)
        last = text[text.rfind(b"\n", 0, len(text) - 1) + 1 : -1]
    return b"".join(kept)


def _resorted(texts: Sequence[Text]) -> bytes:
    """Return the distinct lines of ``texts``, sorted again as one list (timsort merges runs)."""
    lines: list[bytes] = []
    for text in texts:
        lines.extend(bytes(text).split(b"\n"))
        lines.pop()  # after the last newline (every text ends with one)
    return join_lines(sorted_distinct(lines))
