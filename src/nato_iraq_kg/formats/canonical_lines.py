"""Sorted canonical N-Triples and N-Quads written by Oxigraph, with no rdflib graph in between.

Why: at a million statements, building an rdflib graph costs about 30 s and writing each term in
Python another 10 s, while Oxigraph parses (checking every IRI) and writes them again in about
three seconds of CPU. Oxigraph's writer gives canonical N-Triples: the bytes of our own writer
(:mod:`.lines_and_xml`) once the lines are sorted as bytes (UTF-8 keeps code-point order), with
one exception: it writes U+0008 and U+000C as ``\\b`` and ``\\f``, where ours writes ``\\u0008``
and ``\\u000C``. Those two are rewritten here, so both routes give the same bytes.

Our writers refuse what they cannot carry in every syntax (blank nodes, RDF 1.2 triple terms,
base-direction language tags). The parser accepts them, so the text is screened for their marks
(``_:``, ``<<``, ``--``) and only the lines that show one are parsed again to decide.
"""

from __future__ import annotations

import bisect
import io
import itertools
import operator
import re
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import CheckFailure

#: A backslash and what it escapes, where it needs rewriting: ``\\`` is matched so that the
#: ``b`` of an escaped backslash followed by a letter b is never taken for an escape.
_SHORT_ESCAPE = re.compile(rb"\\[\\bf]")
_SHORT_ESCAPE_MARK = re.compile(rb"\\[bf]")
_REWRITE = {b"\\\\": b"\\\\", b"\\b": b"\\u0008", b"\\f": b"\\u000C"}
#: Marks of what our writers refuse; a literal may contain them too, hence the second look.
#: Searched one compiled pattern at a time: ``re`` finds a literal prefix three times faster than
#: ``bytes.__contains__`` does on 300 MB (and an alternation of all four ten times slower).
#: ``<<`` and not ``<<(``: pyoxigraph 0.4 writes RDF-star's ``<< s p o >>``, 0.5 ``<<( s p o )>>``.
_SUSPECT = tuple(re.compile(re.escape(mark)) for mark in (b"_:", b"<<", b"--"))


def _normalise_escapes(text: bytes) -> bytes:
    """Rewrite Oxigraph's ``\\b`` and ``\\f`` as ``\\u0008`` and ``\\u000C``."""
    if _SHORT_ESCAPE_MARK.search(text) is None:
        return text
    return _SHORT_ESCAPE.sub(lambda match: _REWRITE[match.group()], text)


def _refuse_unwritable(lines: list[bytes]) -> None:
    """Raise CheckFailure if a statement has a blank node, a triple term or a directed literal."""
    import pyoxigraph

    for line in lines:
        (quad,) = pyoxigraph.parse(line, format=pyoxigraph.RdfFormat.N_QUADS)
        for term in (quad.subject, quad.object, quad.graph_name):
            if isinstance(term, pyoxigraph.BlankNode):
                raise CheckFailure(f"blank nodes are not written: {line.decode()[:120]}")
            if isinstance(term, pyoxigraph.Triple):
                raise CheckFailure(f"RDF 1.2 triple terms are not written: {line.decode()[:120]}")
            direction = getattr(term, "direction", None)  # RDF 1.2, pyoxigraph 0.5 on
            if isinstance(term, pyoxigraph.Literal) and direction is not None:
                raise CheckFailure(
                    f"language tag {term.language}--{direction} is not written: "
                    f"{line.decode()[:120]}"
                )


def sorted_lines(statements: Iterable[Any], dataset: bool) -> list[bytes]:
    """Return the distinct canonical lines of pyoxigraph statements, sorted as bytes.

    ``statements`` are pyoxigraph ``Quad`` objects (as :func:`pyoxigraph.parse` yields them);
    ``dataset`` False writes their triples (N-Triples: graph names dropped, duplicates merged),
    True the quads (N-Quads). Each line is without its newline.
    """
    return sorted_distinct(_screened_lines(_canonical_text(statements, dataset)))


def sorted_text(statements: Iterable[Any], dataset: bool) -> bytes:
    """Return :func:`sorted_lines` as one document, each line ended by a newline.

    Why not ``join_lines(sorted_lines(...))``: Oxigraph's text of a file that is already sorted
    and free of duplicates (every dump we write) is the answer as it stands, so it is returned
    after one check of the order, without joining a million lines again (a third of the work
    after parsing, at 1M).
    """
    text = _canonical_text(statements, dataset)
    lines = _screened_lines(text)
    if all(map(operator.lt, lines, itertools.islice(lines, 1, None))):
        return text
    return join_lines(sorted_distinct(lines))


def _canonical_text(statements: Iterable[Any], dataset: bool) -> bytes:
    """Return Oxigraph's N-Quads (or N-Triples) text of ``statements``, in their order."""
    return _normalise_escapes(_serialize(statements, dataset))


def _serialize(statements: Iterable[Any], dataset: bool, output: Any = None) -> Any:
    """Write ``statements`` as Oxigraph's N-Quads (``dataset``) or N-Triples, to ``output``."""
    import pyoxigraph

    if dataset:
        return pyoxigraph.serialize(statements, output, format=pyoxigraph.RdfFormat.N_QUADS)
    triples = map(operator.attrgetter("triple"), statements)  # no Python frame per quad
    return pyoxigraph.serialize(triples, output, format=pyoxigraph.RdfFormat.N_TRIPLES)


def _screened_lines(text: bytes) -> list[bytes]:
    """Return the lines of ``text`` (no newlines) after refusing what our writers cannot carry."""
    # split(b"\n"), never splitlines(): a literal may hold U+2028, which N-Triples leaves as is
    lines = text.split(b"\n")
    lines.pop()  # after the last newline
    if any(mark.search(text) for mark in _SUSPECT):
        _refuse_unwritable([line for line in lines if any(m.search(line) for m in _SUSPECT)])
    return lines


def sorted_distinct(lines: list[bytes]) -> list[bytes]:
    """Sort ``lines`` in place and return them without repeats (in place too if there are none)."""
    lines.sort()  # timsort: nearly free on the sorted files we usually read
    # duplicates are neighbours now: looking for one costs a fifth of removing them all
    if any(map(operator.eq, lines, itertools.islice(lines, 1, None))):
        distinct = list(
            itertools.compress(lines, map(operator.ne, lines, itertools.islice(lines, 1, None)))
        )
        distinct.append(lines[-1])  # the last line has no successor to differ from
        return distinct
    return lines


def join_lines(lines: list[bytes]) -> bytes:
    """Return lines as one document, each ended by a newline.

    The last newline comes from joining one empty line more, not from adding it after: at 1M
    lines, ``join(...) + b"\\n"`` copies 230 MB a second time.
    """
    if not lines:
        return b""
    return b"\n".join(itertools.chain(lines, (b"",)))


#: Bytes of Oxigraph's text checked at a time by :func:`sorted_blocks`.
BLOCK_BYTES = 1 << 20


class OutOfOrder(Exception):
    """Oxigraph's lines are not in order: they must be sorted whole."""


def sorted_blocks(statements: Iterable[Any], dataset: bool, emit: Callable[[bytes], Any]) -> bool:
    """Give ``emit`` the text of :func:`sorted_text` block by block; False if out of order.

    Why: at a million statements the whole text is a few hundred megabytes, made three times
    over (Oxigraph's buffer, its copy as ``bytes``, the lines, their join), and fresh memory
    costs a page fault per 4 KiB: a fifth of the CPU of an N-Triples export went to the
    kernel. Oxigraph writes here into a buffer of :data:`BLOCK_BYTES`, and each block of whole
    lines is screened, checked for order (against the block before too) and freed of repeated
    lines, as :func:`sorted_text` does for the whole text. Lines that are not in order cannot
    be sorted a block at a time: then False comes back, after some blocks were emitted, and the
    caller drops them and sorts the whole text instead (an unsorted file shows it in its first
    block). Errors are raised as :func:`sorted_text` raises them.
    """
    sink = _Blocks(emit)
    stream = io.BufferedWriter(sink, buffer_size=BLOCK_BYTES)
    try:
        _serialize(statements, dataset, stream)
        stream.flush()
    except BaseException:
        sink.dropped = True  # what is still buffered is not wanted, even when it is flushed
        if isinstance(sink.failure, OutOfOrder):
            return False
        if sink.failure is not None:  # raised in a block, returned by Oxigraph as its own
            raise sink.failure from None
        raise
    if sink.carry:  # never: Oxigraph ends every statement with a newline
        raise OutOfOrder("the text does not end with a newline")
    return True


class _Blocks(io.RawIOBase):
    """A binary sink that checks each block of whole lines and passes it on, without repeats."""

    def __init__(self, emit: Callable[[bytes], Any]) -> None:
        super().__init__()
        self.emit = emit
        self.carry = b""  # the start of a line the next block ends
        self.last: bytes | None = None  # the last line passed on
        self.failure: BaseException | None = None
        self.dropped = False

    def writable(self) -> bool:
        return True

    def write(self, chunk: Any) -> int:
        """Take a chunk of Oxigraph's text (a view of the buffer: copied before returning).

        After a failure nothing more is looked at: Oxigraph's own buffer writes its chunk again
        when it is dropped, and what is left in ours may be flushed when it is.
        """
        if self.dropped or self.failure is not None:
            return len(chunk)
        try:
            block = b"".join((self.carry, chunk))
            end = block.rfind(b"\n") + 1
            self.carry = block[end:]
            if end:
                self._whole_lines(block if end == len(block) else block[:end])
        except BaseException as failure:
            self.failure = failure
            raise
        return len(chunk)

    def _whole_lines(self, text: bytes) -> None:
        text = _normalise_escapes(text)
        lines = _screened_lines(text)
        last = self.last
        at_seam = last is not None and lines[0] <= last
        if at_seam and lines[0] != last:
            raise OutOfOrder(lines[0])
        if at_seam or not all(map(operator.lt, lines, itertools.islice(lines, 1, None))):
            if not all(map(operator.le, lines, itertools.islice(lines, 1, None))):
                raise OutOfOrder(lines[0])
            text = _without_repeats(text, lines, at_seam)
            if not text:
                return
        self.last = lines[-1]
        self.emit(text)


def _without_repeats(text: bytes, lines: list[bytes], first_too: bool) -> bytes:
    """Return ``text`` (its ``lines`` in order) without each line equal to the next one.

    And without the first line and its repeats if ``first_too`` (it ended the block before).
    Repeats are rare (a triple in two graphs), so the text is copied around them rather than
    joined again from its lines.
    """
    repeats = itertools.compress(
        itertools.count(), map(operator.eq, lines, itertools.islice(lines, 1, None))
    )
    if first_too:  # the last of the first line's repeats too: it is not followed by its equal
        dropped = sorted({bisect.bisect_right(lines, lines[0]) - 1, *repeats})
    else:
        dropped = list(repeats)
    ends = list(itertools.accumulate(map(len, lines)))  # line i ends at ends[i] + i
    view = memoryview(text)
    kept = []
    start = 0
    for index in dropped:
        begin = ends[index] - len(lines[index]) + index
        kept.append(view[start:begin])
        start = ends[index] + index + 1
    kept.append(view[start:])
    return b"".join(kept)
