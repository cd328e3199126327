"""A line-based file parsed in pieces by forked processes: the one-piece bytes, or one piece."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from nato_iraq_kg.errors import CheckFailure, InputError
from nato_iraq_kg.formats import parallel_lines
from nato_iraq_kg.formats.canonical_lines import sorted_text
from nato_iraq_kg.formats.parallel_lines import (
    line_cuts,
    merge_sorted_texts,
    sorted_text_of_file,
    text_in_pieces,
)
from nato_iraq_kg.guard.rdf_input import iter_rdf_file

DATA = Path(__file__).resolve().parents[1] / "data"
ID = "https://w3id.org/nato-iraq-kg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def one_piece(path: Path, fmt: str, dataset: bool) -> bytes:
    """The route every file took before pieces: the whole file through one parser."""
    return sorted_text(iter_rdf_file(path, fmt, None), dataset)


def statements(seed: int, count: int = 300) -> list[str]:
    """Return seeded N-Quads lines: repeated triples across graphs, escapes, typed literals."""
    rng = random.Random(seed)
    lines = []
    for number in range(count):
        subject = f"<{ID}s{rng.randrange(count // 3)}>"
        predicate = f"<{ID}p{rng.randrange(4)}>"
        obj = rng.choice(
            [
                f"<{ID}o{rng.randrange(20)}>",
                f'"label {number % 7}"@en',
                f'"{rng.randrange(50)}"^^<{XSD}nonNegativeInteger>',
                '"tab\\tquote\\"back\\bslash\\\\b"',
                '"naïve – «x» 😀"',
            ]
        )
        graph = f"<{ID}g{rng.randrange(3)}>"
        lines.append(f"{subject} {predicate} {obj} {graph} .\n")
    lines += lines[:: max(1, count // 20)]  # repeated statements
    rng.shuffle(lines)
    return lines


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the pieces run even if the test runner has a thread of its own."""
    monkeypatch.setattr(parallel_lines, "can_fork", lambda: True)


@pytest.mark.parametrize("pieces", [2, 3, 7])
@pytest.mark.parametrize("dataset", [True, False])
def test_pieces_of_a_shuffled_file_give_the_one_piece_bytes(
    tmp_path: Path, pieces: int, dataset: bool
) -> None:
    """Pieces whose lines interleave are sorted again as one: same bytes as one parser."""
    path = tmp_path / "in.nq"
    path.write_text("".join(statements(pieces)), encoding="utf-8")
    cuts = line_cuts(path, path.stat().st_size, pieces)
    assert len(cuts) == pieces + 1
    found = text_in_pieces(path, "N_QUADS", dataset, cuts)
    assert found is not None
    assert found == one_piece(path, "N_QUADS", dataset)


@pytest.mark.parametrize("pieces", [2, 4])
def test_pieces_of_a_sorted_dump_are_joined_in_order(tmp_path: Path, pieces: int) -> None:
    """The built dumps cut in pieces give the dumps again, byte for byte."""
    for name, fmt, dataset in [
        ("nato-iraq.nq", "N_QUADS", True),
        ("nato-iraq.nt", "N_TRIPLES", False),
    ]:
        path = DATA / name
        cuts = line_cuts(path, path.stat().st_size, pieces)
        assert len(cuts) == pieces + 1
        assert text_in_pieces(path, fmt, dataset, cuts) == path.read_bytes(), name


def test_a_triple_at_the_seam_of_two_pieces_is_written_once(tmp_path: Path) -> None:
    """The same triple in two graphs, one each side of a cut: one N-Triples line."""
    path = tmp_path / "in.nq"
    before = f"<{ID}a> <{ID}p> <{ID}o> <{ID}g1> .\n"
    path.write_text(before + f"<{ID}a> <{ID}p> <{ID}o> <{ID}g2> .\n", encoding="utf-8")
    cuts = [0, len(before), path.stat().st_size]
    assert text_in_pieces(path, "N_QUADS", False, cuts) == f"<{ID}a> <{ID}p> <{ID}o> .\n".encode()


def test_a_file_with_no_line_feed_is_one_piece(tmp_path: Path) -> None:
    """Lines ended by a carriage return alone cannot be cut: one piece, the same statements."""
    path = tmp_path / "in.nt"
    lines = [f"<{ID}s{n}> <{ID}p> <{ID}o> .\r" for n in range(50)]
    path.write_text("".join(lines), encoding="utf-8")
    assert line_cuts(path, path.stat().st_size, 4) == [0, path.stat().st_size]


def test_every_inner_cut_follows_a_line_feed(tmp_path: Path) -> None:
    """Cuts fall just after a line feed, in order, never at the ends."""
    path = tmp_path / "in.nq"
    path.write_text("".join(statements(5, 2000)), encoding="utf-8")
    data = path.read_bytes()
    cuts = line_cuts(path, len(data), 6)
    assert cuts[0] == 0
    assert cuts[-1] == len(data)
    assert cuts == sorted(set(cuts))
    assert len(cuts) == 7
    assert all(data[cut - 1 : cut] == b"\n" for cut in cuts[1:-1])


def test_comments_blank_lines_and_a_byte_order_mark_read_as_in_one_piece(tmp_path: Path) -> None:
    """A leading BOM, CRLF line ends, comments and a piece of comments only: the same bytes."""
    path = tmp_path / "in.nt"
    text = (
        "\ufeff# a comment\r\n"
        f'<{ID}b> <{ID}p> "x" . # after a statement\r\n'
        "\r\n# only comments here\n# and here\n\n"
        f'<{ID}a> <{ID}p> "y"@en .\n'
        f'<{ID}a> <{ID}p> "y"@en .\n'
    )
    path.write_bytes(text.encode("utf-8"))
    data = path.read_bytes()
    expected = one_piece(path, "N_TRIPLES", False)
    assert expected.count(b"\n") == 2
    starts = [index + 1 for index, byte in enumerate(data) if byte == ord("\n")][:-1]
    assert len(starts) == 7
    for start in starts:  # every possible two-piece cut
        assert text_in_pieces(path, "N_TRIPLES", False, [0, start, len(data)]) == expected
    assert text_in_pieces(path, "N_TRIPLES", False, [0, *starts, len(data)]) == expected


def test_a_failing_piece_makes_the_whole_file_read_in_one_piece(tmp_path: Path) -> None:
    """A piece that does not parse (here: cut inside a line by hand) gives None, not half a file."""
    path = tmp_path / "in.nq"
    path.write_text("".join(statements(9)), encoding="utf-8")
    size = path.stat().st_size
    first = path.read_bytes().index(b"\n") + 1
    assert text_in_pieces(path, "N_QUADS", True, [0, first, first + 5, size]) is None
    assert text_in_pieces(path, "N_QUADS", True, [0, 5, size]) is None


def test_a_file_that_changed_size_since_it_was_cut_is_not_read_in_pieces(tmp_path: Path) -> None:
    """The cuts belong to one size of the file: another size means read it whole."""
    path = tmp_path / "in.nq"
    path.write_text("".join(statements(3)), encoding="utf-8")
    cuts = line_cuts(path, path.stat().st_size, 2)
    with path.open("a", encoding="utf-8") as stream:
        stream.write(f"<{ID}late> <{ID}p> <{ID}o> <{ID}g> .\n")
    assert text_in_pieces(path, "N_QUADS", True, cuts) is None


@pytest.mark.usefixtures("forking")
def test_a_syntax_error_in_a_later_piece_names_its_line_in_the_whole_file(tmp_path: Path) -> None:
    """The error is the one-piece error: the line is counted from the start of the file."""
    lines = [f"<{ID}s{n}> <{ID}p> <{ID}o> .\n" for n in range(100)]
    lines[80] = f"<{ID}s 80> <{ID}p> <{ID}o> .\n"
    path = tmp_path / "in.nt"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as whole:
        one_piece(path, "N_TRIPLES", False)
    assert "line 81" in str(whole.value)
    with pytest.raises(InputError) as pieces:
        sorted_text_of_file(path, "N_TRIPLES", False, None, pieces=4)
    assert str(pieces.value) == str(whole.value)


@pytest.mark.usefixtures("forking")
def test_what_our_writers_refuse_is_refused_as_in_one_piece(tmp_path: Path) -> None:
    """A blank node in a later piece: the one-piece refusal, naming the same statement."""
    lines = [f"<{ID}s{n}> <{ID}p> <{ID}o> .\n" for n in range(100)]
    lines[70] = f"_:b70 <{ID}p> <{ID}o> .\n"
    lines[90] = f"_:b90 <{ID}p> <{ID}o> .\n"
    path = tmp_path / "in.nt"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(CheckFailure) as whole:
        one_piece(path, "N_TRIPLES", False)
    with pytest.raises(CheckFailure) as pieces:
        sorted_text_of_file(path, "N_TRIPLES", False, None, pieces=4)
    assert str(pieces.value) == str(whole.value)
    assert "b70" in str(pieces.value)


@pytest.mark.usefixtures("forking")
def test_the_input_cap_is_the_one_piece_cap(tmp_path: Path) -> None:
    """A file over the cap is refused before any piece is read, in the usual words."""
    path = tmp_path / "in.nq"
    path.write_text("".join(statements(4)), encoding="utf-8")
    with pytest.raises(InputError, match="over the limit of 100 bytes"):
        sorted_text_of_file(path, "N_QUADS", True, 100, pieces=3)
    assert sorted_text_of_file(path, "N_QUADS", True, None, pieces=3) == one_piece(
        path, "N_QUADS", True
    )


def test_small_files_and_other_syntaxes_are_read_in_one_piece(tmp_path: Path) -> None:
    """No process is started for a file under a piece's size, Turtle, or gzip."""
    assert len(parallel_lines.piece_cuts(DATA / "nato-iraq.nq", "N_QUADS", None, None)) <= 2
    assert parallel_lines.piece_cuts(DATA / "nato-iraq.ttl", "TURTLE", None, 4) == []
    gzipped = tmp_path / "in.nq.gz"
    gzipped.write_bytes(b"")
    assert parallel_lines.piece_cuts(gzipped, "N_QUADS", None, 4) == []


@pytest.mark.usefixtures("forking")
def test_a_large_file_gets_one_piece_per_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """By default: as many pieces as usable cores, none under the smallest piece's size."""
    path = DATA / "nato-iraq.nq"
    monkeypatch.setattr(parallel_lines, "usable_cores", lambda: 3)
    monkeypatch.setattr(parallel_lines, "MIN_PIECE_BYTES", path.stat().st_size // 2)
    assert len(parallel_lines.piece_cuts(path, "N_QUADS", None, None)) == 3
    monkeypatch.setattr(parallel_lines, "MIN_PIECE_BYTES", path.stat().st_size // 10)
    assert len(parallel_lines.piece_cuts(path, "N_QUADS", None, None)) == 4
    assert sorted_text_of_file(path, "N_QUADS", True, None) == path.read_bytes()


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        ([b"a\nb\n", b"c\nd\n"], b"a\nb\nc\nd\n"),
        ([b"a\nb\n", b"b\nc\n"], b"a\nb\nc\n"),  # the seam's line once
        ([b"a\nb\n", b"b\n", b"b\nc\n"], b"a\nb\nc\n"),  # a piece that is only the seam
        ([b"", b"a\n", b"", b"b\n"], b"a\nb\n"),  # pieces with no statement
        ([b"b\nd\n", b"a\nc\nd\n"], b"a\nb\nc\nd\n"),  # interleaved: sorted again
        ([b"a\n", b"a\n"], b"a\n"),
        ([], b""),
    ],
)
def test_merging_sorted_texts(texts: list[bytes], expected: bytes) -> None:
    """Sorted texts of distinct lines merge into one sorted text of distinct lines."""
    assert merge_sorted_texts(texts) == expected


@pytest.mark.usefixtures("forking")
def test_no_memory_file_for_a_child_means_one_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If a child's in-memory file cannot be made, the file is read whole, with no error."""
    path = tmp_path / "in.nq"
    path.write_text("".join(statements(6)), encoding="utf-8")
    expected = one_piece(path, "N_QUADS", True)

    def refuse(name: str) -> int:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(parallel_lines.os, "memfd_create", refuse)
    cuts = line_cuts(path, path.stat().st_size, 3)
    assert text_in_pieces(path, "N_QUADS", True, cuts) is None
    assert sorted_text_of_file(path, "N_QUADS", True, None, pieces=3) == expected
