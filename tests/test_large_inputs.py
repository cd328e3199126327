"""Issue 18: the input cap can be raised for a user's own large files, and still holds otherwise.

A file just over a lowered cap is refused with a message naming both ways to raise it; the same
file is read with ``--max-input-size`` and with ``$NATO_IRAQ_KG_MAX_INPUT_SIZE`` (the option
wins); gzip input is streamed and counted once decompressed. The 1M-quad run is in ``make bench``.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nato_iraq_kg.check.inputs import load_inputs
from nato_iraq_kg.cli import cli
from nato_iraq_kg.errors import InputError
from nato_iraq_kg.guard.rdf_input import (
    MAX_INPUT_BYTES,
    SIZE_VARIABLE,
    input_limit,
    parse_size,
)
from nato_iraq_kg.remote.publish_plan import read_publication

ROOT = Path(__file__).resolve().parents[1]
VALID = ROOT / "tests" / "fixtures" / "shapes" / "valid" / "evidence.ttl"


def assert_validated(result: Result) -> None:
    """Check the file was read and validated (the fixture is valid data, not a whole dataset).

    Exit 1 is allowed: a fixture is a fragment, so the quality checks may miss a part of the
    dataset it does not hold; what matters here is that it was read (exit 2 would be refusal).
    """
    assert result.exit_code in (0, 1), result.output
    assert "0 SHACL violation(s), 0 warning(s)" in result.stdout
    assert "over the limit" not in result.stderr


@pytest.fixture
def just_over(tmp_path: Path) -> tuple[Path, int]:
    """Return a valid data file and a cap one byte below its size."""
    path = tmp_path / "data.ttl"
    shutil.copy(VALID, path)
    return path, path.stat().st_size - 1


def test_a_file_just_over_a_lowered_cap_is_refused_naming_both_ways(
    just_over: tuple[Path, int],
) -> None:
    """Over the cap set by the variable: exit 2, and the message names the option and variable."""
    path, cap = just_over
    result = CliRunner().invoke(cli, ["validate", str(path)], env={SIZE_VARIABLE: str(cap)})
    assert result.exit_code == 2, result.output
    assert f"over the limit of {cap} bytes" in result.stderr
    assert "--max-input-size" in result.stderr
    assert f"${SIZE_VARIABLE}" in result.stderr


def test_the_same_file_passes_with_the_option_and_the_option_wins(
    just_over: tuple[Path, int],
) -> None:
    """``--max-input-size`` lets it in, even when the variable says less."""
    path, cap = just_over
    args = ["validate", str(path), "--max-input-size", str(cap + 1)]
    result = CliRunner().invoke(cli, args, env={SIZE_VARIABLE: str(cap)})
    assert_validated(result)


def test_the_same_file_passes_with_the_variable(just_over: tuple[Path, int]) -> None:
    """``$NATO_IRAQ_KG_MAX_INPUT_SIZE`` alone lets it in; so does ``none``."""
    path, cap = just_over
    for value in (str(cap + 1), "none", "1M"):
        result = CliRunner().invoke(cli, ["validate", str(path)], env={SIZE_VARIABLE: value})
        assert_validated(result)


def test_shapes_and_query_files_obey_the_cap(tmp_path: Path) -> None:
    """``--shapes`` and ``query FILE`` are measured against the same cap before being read."""
    shapes = tmp_path / "shapes.ttl"
    shutil.copy(ROOT / "ontology" / "shapes.ttl", shapes)
    args = ["validate", "--shapes", str(shapes), "--max-input-size", "1K"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert f"{shapes}: " in result.stderr and "over the limit of 1024 bytes" in result.stderr
    query = tmp_path / "q.rq"
    query.write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1\n" + "# padding\n" * 200, "utf-8")
    result = CliRunner().invoke(cli, ["query", str(query), "--max-input-size", "1K"])
    assert result.exit_code == 2
    assert "over the limit of 1024 bytes" in result.stderr
    result = CliRunner().invoke(cli, ["query", str(query), "--max-input-size", "4K"])
    assert result.exit_code == 0, result.output


def test_publish_reads_its_file_within_the_cap(tmp_path: Path) -> None:
    """``publish --file`` is refused over the cap; a gzipped dataset reads like the plain one."""
    dataset = ROOT / "data" / "nato-iraq.nq"
    with pytest.raises(InputError, match="over the limit of 1024 bytes"):
        read_publication(dataset, None, 1024)
    packed = tmp_path / "nato-iraq.nq.gz"
    packed.write_bytes(gzip.compress(dataset.read_bytes()))
    assert read_publication(packed, None).digest == read_publication(dataset, None).digest


def test_gzip_input_gives_the_same_quads_as_the_plain_file(tmp_path: Path) -> None:
    """A ``.nq.gz`` is decompressed as it streams, to the same quads as the file itself."""
    dataset = ROOT / "data" / "nato-iraq.nq"
    packed = tmp_path / "nato-iraq.nq.gz"
    packed.write_bytes(gzip.compress(dataset.read_bytes()))
    plain, zipped = load_inputs([dataset]), load_inputs([packed])
    assert len(zipped.store) == len(plain.store) > 7000
    assert set(zipped.store) == set(plain.store)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("512M", 512 * 2**20), ("2G", 2 * 2**30), ("64k", 65536), ("1000", 1000), ("none", None)],
)
def test_sizes_are_read_in_binary_units(text: str, expected: int | None) -> None:
    """``512M``, ``2G``, ``64k``, a byte count, and ``none`` for no cap."""
    assert parse_size(text) == expected


def test_a_bad_size_names_where_it_came_from() -> None:
    """A mistyped variable is blamed on the variable, not the option; no setting: 128 MiB."""
    with pytest.raises(InputError, match=r"^\$NATO_IRAQ_KG_MAX_INPUT_SIZE '12Q': not a size"):
        input_limit(None, {SIZE_VARIABLE: "12Q"})
    with pytest.raises(InputError, match=r"^--max-input-size 'lots': not a size"):
        input_limit("lots", {SIZE_VARIABLE: "1G"})
    assert input_limit(None, {}) == MAX_INPUT_BYTES
    assert input_limit("2G", {SIZE_VARIABLE: "1K"}) == 2 * 2**30
