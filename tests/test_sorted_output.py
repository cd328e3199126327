"""Sorted lines written to a file piece by piece: the bytes of the text made whole, or nothing."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from nato_iraq_kg.cli import cli
from nato_iraq_kg.errors import CheckFailure, InputError
from nato_iraq_kg.formats import parallel_lines
from nato_iraq_kg.formats.file_export import export_file, export_file_to
from nato_iraq_kg.formats.kept_heap import kept_heap
from nato_iraq_kg.formats.parallel_lines import line_cuts, sorted_text_of_file
from nato_iraq_kg.formats.sorted_output import (
    first_line,
    last_line,
    write_in_pieces,
    write_sorted_text_of_file,
)
from test_parallel_lines import ID, one_piece, statements

DATA = Path(__file__).resolve().parents[1] / "data"


def written(tmp_path: Path, write: Callable[[int], object]) -> tuple[object, bytes]:
    """Return what ``write`` returned given a new empty file, and the bytes it left there."""
    target = tmp_path / "written.out"
    handle = os.open(target, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        outcome = write(handle)
    finally:
        os.close(handle)
    return outcome, target.read_bytes()


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the pieces run even if the test runner has a thread of its own."""
    monkeypatch.setattr(parallel_lines, "can_fork", lambda: True)


@pytest.mark.parametrize("pieces", [2, 3, 7])
@pytest.mark.parametrize("dataset", [True, False])
def test_interleaved_pieces_are_merged_as_in_one_piece(
    tmp_path: Path, pieces: int, dataset: bool
) -> None:
    """Pieces of a shuffled file overlap: merged in memory, the one-piece bytes in the file."""
    path = tmp_path / "in.nq"
    path.write_text("".join(statements(pieces)), encoding="utf-8")
    cuts = line_cuts(path, path.stat().st_size, pieces)
    assert len(cuts) == pieces + 1
    done, text = written(tmp_path, lambda out: write_in_pieces(path, "N_QUADS", dataset, cuts, out))
    assert done is True
    assert text == one_piece(path, "N_QUADS", dataset)


@pytest.mark.parametrize("pieces", [2, 4])
def test_pieces_of_a_sorted_dump_are_copied_in_order(tmp_path: Path, pieces: int) -> None:
    """The built dumps cut in pieces are written again byte for byte, the children's by copy."""
    for name, fmt, dataset in [
        ("nato-iraq.nq", "N_QUADS", True),
        ("nato-iraq.nt", "N_TRIPLES", False),
    ]:
        path = DATA / name
        cuts = line_cuts(path, path.stat().st_size, pieces)
        assert len(cuts) == pieces + 1
        done, text = written(
            tmp_path,
            lambda out, p=path, f=fmt, d=dataset, c=cuts: write_in_pieces(p, f, d, c, out),
        )
        assert done is True
        assert text == path.read_bytes(), name


def test_the_line_at_a_seam_is_written_once(tmp_path: Path) -> None:
    """One triple in three graphs, a piece each: its line once, skipped by offset in the copies.

    The middle piece holds only the seam's line, so it adds nothing; the last one starts with it.
    """
    triple = f"<{ID}b> <{ID}p> <{ID}o>"
    lines = [
        f"<{ID}a> <{ID}p> <{ID}o> <{ID}g1> .\n",
        f"{triple} <{ID}g1> .\n",
        f"{triple} <{ID}g2> .\n",
        f"{triple} <{ID}g3> .\n",
        f"<{ID}c> <{ID}p> <{ID}o> <{ID}g1> .\n",
    ]
    path = tmp_path / "in.nq"
    path.write_text("".join(lines), encoding="utf-8")
    ends = [sum(len(line) for line in lines[:count]) for count in (0, 2, 3, 5)]
    expected = f"<{ID}a> <{ID}p> <{ID}o> .\n{triple} .\n<{ID}c> <{ID}p> <{ID}o> .\n".encode()
    done, text = written(tmp_path, lambda out: write_in_pieces(path, "N_QUADS", False, ends, out))
    assert done is True
    assert text == expected
    assert text == one_piece(path, "N_QUADS", False)


def test_every_cut_of_comments_and_a_byte_order_mark_writes_the_one_piece_bytes(
    tmp_path: Path,
) -> None:
    """A BOM, CRLF, comments and pieces with no statement (empty texts): the same bytes."""
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
    starts = [index + 1 for index, byte in enumerate(data) if byte == ord("\n")][:-1]
    assert len(starts) == 7
    for cuts in [*([0, start, len(data)] for start in starts), [0, *starts, len(data)]]:
        done, found = written(
            tmp_path, lambda out, c=cuts: write_in_pieces(path, "N_TRIPLES", False, c, out)
        )
        assert done is True
        assert found == expected, cuts


def test_lines_longer_than_the_window_at_either_end(tmp_path: Path) -> None:
    """The first and last lines are found whatever their length, in a text of one line too."""
    long_lines = [b"a" * 5000, b"b" * 70_000, b"c" * 3, b"d" * 20_000]
    for lines in (long_lines, long_lines[:1], long_lines[1:2], [b"x"]):
        text = b"".join(line + b"\n" for line in lines)
        _, _ = written(tmp_path, lambda out, t=text: os.write(out, t))
        with (tmp_path / "written.out").open("rb") as stream:
            assert first_line(stream.fileno(), len(text)) == lines[0]
            assert last_line(stream.fileno(), len(text)) == lines[-1]


def test_a_failing_piece_after_the_first_was_written_gives_the_one_piece_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child that fails once the parent wrote its piece: the file is emptied and read whole.

    Its text is the one-piece text, not the parent's piece followed by the whole.
    """
    path = tmp_path / "in.nq"
    path.write_text("".join(statements(11)), encoding="utf-8")
    cuts = line_cuts(path, path.stat().st_size, 3)

    def fail(*args: object) -> None:
        raise SystemExit(1)

    monkeypatch.setattr(parallel_lines, "_write_piece", fail)
    done, part = written(tmp_path, lambda out: write_in_pieces(path, "N_QUADS", True, cuts, out))
    assert done is False
    assert part  # the parent had begun
    monkeypatch.setattr(parallel_lines, "can_fork", lambda: True)
    _, text = written(
        tmp_path, lambda out: write_sorted_text_of_file(path, "N_QUADS", True, out, None, 3)
    )
    assert text == one_piece(path, "N_QUADS", True)


@pytest.mark.usefixtures("forking")
def test_a_syntax_error_in_a_later_piece_is_the_one_piece_error(tmp_path: Path) -> None:
    """The same error, naming the line in the whole file, as when the text is made whole."""
    lines = [f"<{ID}s{n:03}> <{ID}p> <{ID}o> .\n" for n in range(100)]
    lines[80] = f"<{ID}s 80> <{ID}p> <{ID}o> .\n"
    path = tmp_path / "in.nt"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as whole:
        sorted_text_of_file(path, "N_TRIPLES", False, None, pieces=4)
    with pytest.raises(InputError) as pieces:
        written(
            tmp_path,
            lambda out: write_sorted_text_of_file(path, "N_TRIPLES", False, out, None, 4),
        )
    assert str(pieces.value) == str(whole.value)
    assert "line 81" in str(pieces.value)


@pytest.mark.usefixtures("forking")
@pytest.mark.parametrize("key", ["nt", "nq"])
def test_a_failed_export_leaves_the_old_output_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """Bad input in a later piece, or a statement we refuse: the old file whole, no leftovers."""
    monkeypatch.setattr(parallel_lines, "MIN_PIECE_BYTES", 1)
    output = tmp_path / "out" / f"old.{key}"
    output.parent.mkdir()
    output.write_bytes(b"the old output\n")
    good = [f"<{ID}s{n:03}> <{ID}p> <{ID}o> <{ID}g> .\n" for n in range(200)]
    for broken, error in [
        (f"<{ID}s 1> <{ID}p> <{ID}o> <{ID}g> .\n", InputError),
        (f"_:b <{ID}p> <{ID}o> <{ID}g> .\n", CheckFailure),
    ]:
        path = tmp_path / "in.nq"
        path.write_text("".join([*good[:150], broken, *good[150:]]), encoding="utf-8")
        with pytest.raises(error):
            export_file_to(path, key, output, None)
        assert output.read_bytes() == b"the old output\n"
        assert os.listdir(output.parent) == [output.name]


@pytest.mark.usefixtures("forking")
def test_the_file_written_is_the_export_in_every_syntax(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """export_file_to writes export_file's bytes, in pieces or not, readable as before."""
    path = tmp_path / "in.nq"
    path.write_text("".join(statements(21, 900)), encoding="utf-8")
    for smallest in (parallel_lines.MIN_PIECE_BYTES, 1):
        monkeypatch.setattr(parallel_lines, "MIN_PIECE_BYTES", smallest)
        for key in ("nt", "nq", "ttl", "trig", "jsonld"):  # RDF/XML refuses a \\b
            output = tmp_path / f"out.{key}"
            export_file_to(path, key, output, None)
            assert output.read_bytes() == export_file(path, key, None), (key, smallest)
            assert output.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def test_the_command_writes_the_built_bytes_and_says_when_it_cannot(tmp_path: Path) -> None:
    """`export FILE -o` writes the dump's bytes; an output folder that is missing is exit 2."""
    runner = CliRunner()
    for name in ("nato-iraq.nt", "nato-iraq.nq"):
        target = tmp_path / name
        key = name.rsplit(".", 1)[1]
        arguments = ["export", str(DATA / name), "--format", key, "-o", str(target)]
        result = runner.invoke(cli, arguments)
        assert result.exit_code == 0, result.stderr
        assert target.read_bytes() == (DATA / name).read_bytes()
    missing = tmp_path / "no-such-folder" / "out.nt"
    result = runner.invoke(
        cli, ["export", str(DATA / "nato-iraq.nt"), "--format", "nt", "-o", str(missing)]
    )
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
    assert not missing.parent.exists()


def test_the_kept_heap_passes_errors_on_and_can_be_used_again() -> None:
    """The malloc settings are a block's own: an error inside goes through, the next block runs."""
    with pytest.raises(ZeroDivisionError), kept_heap():
        _ = 1 / 0
    with kept_heap():
        assert bytes(4 << 20).count(0) == 4 << 20
