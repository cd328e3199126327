"""Sorted canonical text made block by block: the bytes of the whole-text route, or False."""

from __future__ import annotations

import random

import pyoxigraph
import pytest

from nato_iraq_kg.errors import CheckFailure
from nato_iraq_kg.formats import canonical_lines
from nato_iraq_kg.formats.canonical_lines import sorted_blocks, sorted_text

ID = "https://w3id.org/nato-iraq-kg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def parsed(text: str) -> pyoxigraph.QuadParser:
    return pyoxigraph.parse(input=text.encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)


def blocks_of(text: str, dataset: bool) -> list[bytes] | None:
    """Return the blocks ``sorted_blocks`` gives, None when it answers False."""
    blocks: list[bytes] = []
    return blocks if sorted_blocks(parsed(text), dataset, blocks.append) else None


def sorted_dump(seed: int, count: int = 600) -> str:
    """Return sorted N-Quads in which most triples are in two or three graphs.

    So the N-Triples text repeats lines everywhere, at the seams of blocks too; with escapes
    Oxigraph writes short (``\\b``, ``\\f``) and long, and non-ASCII text.
    """
    rng = random.Random(seed)
    lines = set()
    for number in range(count):
        subject = f"<{ID}s{number // 4:04d}>"
        obj = rng.choice(
            [
                f"<{ID}o{rng.randrange(20)}>",
                f'"label {number % 7}"@en',
                f'"{rng.randrange(50)}"^^<{XSD}nonNegativeInteger>',
                '"back\\bspace\\fform feed\\\\b not one"',
                '"naïve – «x» 😀 \\u0001"',
            ]
        )
        for graph in rng.sample(range(3), rng.randrange(1, 4)):
            lines.add(f"{subject} <{ID}p{number % 3}> {obj} <{ID}g{graph}> .\n")
    return "".join(sorted(lines, key=lambda line: line.encode("utf-8")))


@pytest.fixture(params=[1, 100, 4096, 1 << 20])
def block_bytes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Blocks of every size: from Oxigraph's own 8 KiB writes cut anywhere to one block."""
    monkeypatch.setattr(canonical_lines, "BLOCK_BYTES", request.param)
    return int(request.param)


@pytest.mark.parametrize("dataset", [True, False])
def test_blocks_join_to_the_whole_text(block_bytes: int, dataset: bool) -> None:
    """Joined, the blocks are the bytes of the whole-text route, repeats dropped at seams too."""
    text = sorted_dump(block_bytes)
    blocks = blocks_of(text, dataset)
    assert blocks is not None
    assert b"".join(blocks) == sorted_text(parsed(text), dataset)
    if block_bytes < 8192:
        assert len(blocks) > 3  # the seams were crossed
    assert all(block.endswith(b"\n") for block in blocks)


def test_repeats_across_every_seam_are_written_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """One triple in a hundred graphs, written over many blocks: one N-Triples line."""
    monkeypatch.setattr(canonical_lines, "BLOCK_BYTES", 1)
    lines = [f"<{ID}a> <{ID}p> <{ID}o> <{ID}g{n:03d}> .\n" for n in range(400)]
    lines.append(f"<{ID}b> <{ID}p> <{ID}o> <{ID}g> .\n")
    blocks = blocks_of("".join(lines), dataset=False)
    assert blocks is not None
    assert b"".join(blocks) == f"<{ID}a> <{ID}p> <{ID}o> .\n<{ID}b> <{ID}p> <{ID}o> .\n".encode()


@pytest.mark.parametrize("where", [0, 300, 900])
def test_lines_out_of_order_anywhere_give_false(block_bytes: int, where: int) -> None:
    """A line out of order in the first block, in a later one, or last: False, not a text."""
    lines = sorted_dump(5).splitlines(keepends=True)
    assert len(lines) > where + 1
    lines[where], lines[where + 1] = lines[where + 1], lines[where]
    assert blocks_of("".join(lines), dataset=True) is None


def test_what_our_writers_refuse_in_a_later_block_is_refused_as_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A blank node far into the text: the whole-text route's error, word for word."""
    monkeypatch.setattr(canonical_lines, "BLOCK_BYTES", 1)
    lines = sorted_dump(7).splitlines(keepends=True)
    lines.append(f"_:b1 <{ID}p> <{ID}o> <{ID}g> .\n")
    text = "".join(lines)
    with pytest.raises(CheckFailure) as whole:
        sorted_text(parsed(text), True)
    with pytest.raises(CheckFailure) as blocks:
        blocks_of(text, True)
    assert str(blocks.value) == str(whole.value)


def test_marks_inside_literals_are_not_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """``_:``, ``<<`` and ``--`` inside text are looked at again and kept."""
    monkeypatch.setattr(canonical_lines, "BLOCK_BYTES", 1)
    text = "".join(
        f'<{ID}s{n:03d}> <{ID}p> "a _:b << c -- d {n}"@en <{ID}g> .\n' for n in range(200)
    )
    blocks = blocks_of(text, True)
    assert blocks is not None
    assert b"".join(blocks) == sorted_text(parsed(text), True)


def test_a_syntax_error_is_raised_as_by_the_parser() -> None:
    """A parse error is Oxigraph's own, not hidden as a failed write."""
    with pytest.raises(SyntaxError):
        blocks_of(sorted_dump(3) + f"<{ID}s> <{ID}p> .\n", True)


def test_no_statement_gives_no_block() -> None:
    """An empty piece: no block, and True."""
    assert blocks_of("", True) == []
