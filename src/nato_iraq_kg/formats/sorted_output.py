"""The sorted canonical lines of a large N-Triples/N-Quads file written to a file, never joined.

Why: :func:`.parallel_lines.sorted_text_of_file` returns the whole text as one ``bytes``: at a
million statements 230 MB of fresh memory (56,000 page faults) made only to be written out and
freed, after the children's texts were mapped back (37,000 more per child). Here the parent
writes its own piece (the first) straight to the output as Oxigraph writes it, and each child's
text goes from its memory file to the output by the kernel (``sendfile``: no page of it in this
process), the line a piece shares with the one before it (one triple of two graphs, at the
seam) skipped by its offset. The bytes are those of :func:`.parallel_lines.sorted_text_of_file`.

Whenever a piece fails the output is emptied and the file read in one piece, as there; pieces
whose lines interleave (an unsorted file) are merged in memory, as there.
"""

from __future__ import annotations

import errno
import os
from contextlib import ExitStack
from pathlib import Path

from ..guard.rdf_input import MAX_INPUT_BYTES, iter_rdf_file
from .canonical_lines import sorted_blocks, sorted_text
from .kept_heap import kept_heap
from .parallel_lines import (
    Text,
    finished_children,
    mapped_memory,
    merge_sorted_texts,
    piece_cuts,
    piece_statements,
    piece_text,
    stamp_of,
    started_children,
)

#: Bytes read at a time at either end of a text, to find its first or last line.
_END_STEP = 1 << 12


def write_sorted_text_of_file(
    path: Path,
    fmt: str,
    dataset: bool,
    output: int,
    limit: int | None = MAX_INPUT_BYTES,
    pieces: int | None = None,
) -> None:
    """Write :func:`.parallel_lines.sorted_text_of_file`'s bytes to the empty file ``output``.

    ``output`` is a descriptor open for reading and writing, at offset 0; whatever fails
    (bad input, a full disk) leaves it holding a part, so the caller writes to a temporary
    file and keeps it only when this returns.
    """
    cuts = piece_cuts(path, fmt, limit, pieces)
    if len(cuts) > 2 and write_in_pieces(path, fmt, dataset, cuts, output):
        return
    _emptied(output)
    write_all(output, sorted_text(iter_rdf_file(path, fmt, limit), dataset))


def write_in_pieces(path: Path, fmt: str, dataset: bool, cuts: list[int], output: int) -> bool:
    """Write the merged lines of the pieces between ``cuts`` to ``output``; False if one failed.

    After False, ``output`` holds a part of the text (the caller empties it).
    """
    stamp = stamp_of(path)
    if stamp is None or stamp[0] != cuts[-1]:
        return False
    with ExitStack() as stack, kept_heap():
        children = started_children(stack, path, fmt, dataset, cuts)
        if children is None or not _own_piece_written(path, fmt, dataset, cuts, output):
            return False
        memories = finished_children(children)
        if memories is None or stamp_of(path) != stamp:
            return False
        own_size = os.lseek(output, 0, os.SEEK_CUR)
        last = last_line(output, own_size) if own_size else None
        copies = []
        for memory in memories:
            size = os.fstat(memory).st_size
            if not size:
                continue
            first = first_line(memory, size)
            if last is not None and first < last:  # interleaved: merged in memory
                _write_merged(output, own_size, memories)
                return True
            copies.append((memory, len(first) + 1 if first == last else 0, size))
            last = last_line(memory, size)
        for memory, start, end in copies:
            send_all(output, memory, start, end)
    return True


def _own_piece_written(path: Path, fmt: str, dataset: bool, cuts: list[int], output: int) -> bool:
    """Write the first piece's sorted lines to ``output`` as they come; False on any failure.

    Every failure is the same here: the whole file is then read in one piece, which raises the
    right error (with the line number in the whole file), or succeeds.
    """
    try:
        with piece_statements(path, fmt, cuts[0], cuts[1]) as statements:
            in_order = sorted_blocks(statements, dataset, lambda block: write_all(output, block))
        if not in_order:  # sorted whole
            _emptied(output)
            write_all(output, piece_text(path, fmt, dataset, cuts[0], cuts[1]))
    except Exception:  # any failure means "read it whole"
        return False
    return True


def _write_merged(output: int, own_size: int, memories: list[int]) -> None:
    """Merge the texts in memory (the first is in ``output`` already) and write them again."""
    with ExitStack() as stack:
        texts: list[Text] = [stack.enter_context(mapped_memory(output, own_size))]
        texts += [stack.enter_context(mapped_memory(memory)) for memory in memories]
        merged = merge_sorted_texts(texts)
    _emptied(output)
    write_all(output, merged)


def first_line(text: int, size: int) -> bytes:
    """Return the first line (without its newline) of the ``size`` bytes of the file ``text``."""
    step = _END_STEP
    while True:
        head = os.pread(text, min(step, size), 0)
        end = head.find(b"\n")
        if end >= 0 or len(head) >= size:
            return head[:end] if end >= 0 else head
        step *= 4


def last_line(text: int, size: int) -> bytes:
    """Return the last line (without its newline) of the ``size`` bytes of the file ``text``.

    The text ends with a newline, as every text of lines here does.
    """
    step = _END_STEP
    while True:
        start = max(0, size - step)
        tail = os.pread(text, size - start, start)
        found = tail.rfind(b"\n", 0, len(tail) - 1)
        if found >= 0 or start == 0:
            return tail[found + 1 : -1]
        step *= 4


def send_all(output: int, source: int, start: int, end: int) -> None:
    """Append bytes ``start``..``end`` of the file ``source`` to ``output``, inside the kernel."""
    while start < end:
        sent = os.sendfile(output, source, start, end - start)
        if sent == 0:
            raise OSError(errno.EIO, f"the text ended {end - start} bytes early")
        start += sent


def write_all(output: int, data: bytes) -> None:
    """Write all of ``data`` to ``output`` (``os.write`` may write a part only)."""
    with memoryview(data) as view:
        written = 0
        while written < len(view):
            written += os.write(output, view[written:])


def _emptied(output: int) -> None:
    """Empty the file ``output`` and go back to its start."""
    os.ftruncate(output, 0)
    os.lseek(output, 0, os.SEEK_SET)
