"""`export FILE`: Oxigraph's canonical lines, sorted, equal to our writers' bytes, stable, safe."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from nato_iraq_kg.cli import cli
from nato_iraq_kg.errors import CheckFailure, InputError
from nato_iraq_kg.formats.file_export import export_file
from nato_iraq_kg.formats.jsonld import to_jsonld
from nato_iraq_kg.formats.lines_and_xml import nquads, ntriples, rdfxml
from nato_iraq_kg.formats.turtle import trig, turtle

DATA = Path(__file__).resolve().parents[1] / "data"
ID = "https://w3id.org/nato-iraq-kg/id/"

#: (source file in data/, export syntax, the data/ file it must equal byte for byte)
FIXED_POINTS = [
    ("nato-iraq.nq", "nq", "nato-iraq.nq"),
    ("nato-iraq.trig", "nq", "nato-iraq.nq"),
    ("nato-iraq.nq", "trig", "nato-iraq.trig"),
    ("nato-iraq.nt", "nt", "nato-iraq.nt"),
    ("nato-iraq.ttl", "nt", "nato-iraq.nt"),
    ("nato-iraq.rdf", "ttl", "nato-iraq.ttl"),
    ("nato-iraq.jsonld", "nt", "nato-iraq.nt"),
    ("nato-iraq.nt", "xml", "nato-iraq.rdf"),
    ("nato-iraq.nt", "jsonld", "nato-iraq.jsonld"),
]

#: Literals that test the escaping: short escapes, other controls, DEL, a backslash before a
#: letter b or f, a line separator, non-ASCII, and the marks the screen looks for.
AWKWARD = [
    "back\bspace form\ffeed",
    "bell\x07 nul\x00 del\x7f esc\x1b",
    'quote" backslash\\ newline\n return\r tab\t',
    "\\b is not a backspace, \\f not a form feed",
    "line\u2028separator and paragraph\u2029separator",
    "Iraq’s «security» 😀",
    "_:not-a-blank-node <<( not a triple )>> -- not a direction",
]


def corpus(seed: int, copies: int = 4) -> list[tuple[URIRef, URIRef, Literal | URIRef, URIRef]]:
    """Return seeded quads with every kind of term our dumps hold, some in two graphs."""
    rng = random.Random(seed)
    quads = []
    for number in range(copies):
        subject = URIRef(f"{ID}actor/a{number}")
        graph = URIRef(f"https://w3id.org/nato-iraq-kg/graph/g{number % 3}")
        objects: list[Literal | URIRef] = [
            URIRef(f"{ID}actor/a{rng.randrange(copies)}"),
            Literal(f"Actor {number}", lang="en"),
            Literal(rng.choice(AWKWARD)),
            Literal(str(rng.randrange(1000)), datatype=XSD.nonNegativeInteger),
            Literal(f"20{rng.randrange(10, 20)}-0{rng.randrange(1, 9)}", datatype=XSD.gYearMonth),
            Literal("true", datatype=XSD.boolean),
        ]
        for index, obj in enumerate(objects):
            predicate = URIRef(f"https://w3id.org/nato-iraq-kg/ontology#p{index}")
            quads.append((subject, predicate, obj, graph))
            if rng.random() < 0.3:  # the same triple in a second graph: once in the facts
                quads.append((subject, predicate, obj, URIRef(f"{graph}-copy")))
    for number, text in enumerate(AWKWARD):  # every awkward literal at least once
        quads.append((URIRef(f"{ID}x{number}"), URIRef(f"{ID}p"), Literal(text), URIRef(f"{ID}g")))
    return quads


def write_nquads(quads: list, path: Path, seed: int) -> Path:
    """Write the quads as N-Quads in a seeded shuffled order, with one line twice."""
    lines = [nquads({g: Graph().add((s, p, o))}) for s, p, o, g in quads]
    lines.append(lines[0])
    random.Random(seed).shuffle(lines)
    path.write_text("".join(lines), encoding="utf-8")
    return path


def rdflib_views(quads: list) -> tuple[Graph, dict[URIRef, Graph]]:
    """Return the facts (union) and the named graphs as rdflib graphs, for our writers."""
    facts, graphs = Graph(), {}
    for s, p, o, g in quads:
        facts.add((s, p, o))
        graphs.setdefault(g, Graph()).add((s, p, o))
    return facts, graphs


@pytest.mark.parametrize(("source", "key", "expected"), FIXED_POINTS)
def test_exporting_a_built_file_gives_the_built_bytes(source: str, key: str, expected: str) -> None:
    """Each dump in data/, read back and exported, is byte for byte the build's dump."""
    assert export_file(DATA / source, key) == (DATA / expected).read_bytes()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_syntax_equals_the_build_writers_on_the_same_statements(
    tmp_path: Path, seed: int
) -> None:
    """Oxigraph's sorted lines and the writers fed from them equal our rdflib-graph writers."""
    quads = corpus(seed)
    path = write_nquads(quads, tmp_path / "in.nq", seed)
    facts, graphs = rdflib_views(quads)
    expected = {
        "nt": lambda: ntriples(facts),
        "nq": lambda: nquads(graphs),
        "ttl": lambda: turtle(facts),
        "trig": lambda: trig(graphs),
        "xml": lambda: rdfxml(facts),  # refuses the control characters, both ways
        "jsonld": lambda: to_jsonld(facts),
    }
    for key, write in expected.items():
        assert outcome(lambda k=key: export_file(path, k).decode("utf-8")) == outcome(write), key


def outcome(action: Callable[[], str]) -> str:
    """Return what a writer wrote, or "refused" (which statement it names first may differ)."""
    try:
        return action()
    except CheckFailure:
        return "refused"


def test_the_output_is_the_same_whatever_the_input_order_and_run(tmp_path: Path) -> None:
    """Shuffled differently, read twice: the same bytes every time."""
    quads = corpus(7)
    first = write_nquads(quads, tmp_path / "a.nq", 1)
    second = write_nquads(quads, tmp_path / "b.nq", 2)
    assert first.read_bytes() != second.read_bytes()
    for key in ("nt", "nq", "ttl"):
        outputs = {export_file(first, key), export_file(second, key), export_file(first, key)}
        assert len(outputs) == 1, key


def test_short_escapes_are_written_as_our_writer_writes_them(tmp_path: Path) -> None:
    """\\b and \\f become \\u0008 and \\u000C; an escaped backslash before b or f stays."""
    path = tmp_path / "in.nt"
    path.write_text(f'<{ID}x> <{ID}p> "a\\bb\\fc\\\\b\\\\f" .\n', encoding="utf-8")
    assert export_file(path, "nt") == f'<{ID}x> <{ID}p> "a\\u0008b\\u000Cc\\\\b\\\\f" .\n'.encode()


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (f"_:b1 <{ID}p> <{ID}o> .", "blank nodes"),
        (f"<{ID}s> <{ID}p> _:b1 .", "blank nodes"),
        (f"<{ID}s> <{ID}p> <<( <{ID}s> <{ID}p> <{ID}o> )>> .", "triple terms"),
        (f'<{ID}s> <{ID}p> "x"@en--ltr .', "language tag"),
    ],
)
def test_what_our_writers_cannot_carry_is_refused(
    tmp_path: Path, statement: str, message: str
) -> None:
    """Blank nodes, triple terms and directed literals are refused, in every syntax."""
    path = tmp_path / "in.nt"
    path.write_text(f'<{ID}a> <{ID}p> "fine" .\n{statement}\n', encoding="utf-8")
    for key in ("nt", "ttl"):
        with pytest.raises(CheckFailure, match=message):
            export_file(path, key)


def test_trig_refuses_statements_in_the_default_graph(tmp_path: Path) -> None:
    """TriG is written as named graphs only: a default-graph statement is not moved anywhere."""
    path = tmp_path / "in.nt"
    path.write_text(f'<{ID}a> <{ID}p> "x" .\n', encoding="utf-8")
    with pytest.raises(CheckFailure, match="default graph"):
        export_file(path, "trig")


def test_a_malformed_or_oversized_file_is_an_input_error(tmp_path: Path) -> None:
    """The strict parser and the input cap guard the file, as for every command that reads one."""
    path = tmp_path / "in.nt"
    path.write_text(f"<{ID}a b> <{ID}p> <{ID}o> .\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        export_file(path, "nt")
    path.write_text(f"<{ID}a> <{ID}p> <{ID}o> .\n", encoding="utf-8")
    with pytest.raises(InputError, match="over the limit"):
        export_file(path, "nt", limit=10)


def test_the_command_exports_a_file_to_stdout_and_to_a_path(tmp_path: Path) -> None:
    """`export FILE --format nt` prints the sorted lines; `-o` writes them; the cap applies."""
    source = DATA / "nato-iraq.nt"
    runner = CliRunner()
    printed = runner.invoke(cli, ["export", str(source), "--format", "nt"])
    assert printed.exit_code == 0, printed.stderr
    assert printed.stdout_bytes == source.read_bytes()
    target = tmp_path / "out.ttl"
    written = runner.invoke(cli, ["export", str(source), "--format", "ttl", "-o", str(target)])
    assert written.exit_code == 0, written.stderr
    assert target.read_bytes() == (DATA / "nato-iraq.ttl").read_bytes()
    refused = runner.invoke(
        cli, ["export", str(source), "--format", "nt", "--max-input-size", "1K"]
    )
    assert refused.exit_code == 2
    assert "over the limit" in refused.stderr


def test_the_cycle_collector_is_running_again_after_an_export(tmp_path: Path) -> None:
    """The collector, paused while an export runs, is back on after it, even after a refusal."""
    import gc

    assert gc.isenabled()
    export_file(DATA / "nato-iraq.nt", "nt")
    assert gc.isenabled()
    path = tmp_path / "in.nt"
    path.write_text(f"_:b <{ID}p> <{ID}o> .\n", encoding="utf-8")
    with pytest.raises(CheckFailure):
        export_file(path, "ttl")
    assert gc.isenabled()


def test_a_gzipped_file_is_exported_as_the_plain_one(tmp_path: Path) -> None:
    """`.nq.gz` is read decompressed as a stream, in the syntax of the name under the `.gz`."""
    import gzip

    path = tmp_path / "nato-iraq.nq.gz"
    path.write_bytes(gzip.compress((DATA / "nato-iraq.nq").read_bytes()))
    assert export_file(path, "nq") == (DATA / "nato-iraq.nq").read_bytes()


def test_a_sorted_file_with_repeated_statements_is_written_without_them(tmp_path: Path) -> None:
    """Sorted input is returned as Oxigraph wrote it only if no line repeats its neighbour."""
    quads = [
        f"<{ID}a> <{ID}p> <{ID}o> <{ID}g1> .\n",
        f"<{ID}a> <{ID}p> <{ID}o> <{ID}g1> .\n",
        f"<{ID}a> <{ID}p> <{ID}o> <{ID}g2> .\n",
        f'<{ID}b> <{ID}p> "x" <{ID}g1> .\n',
    ]
    path = tmp_path / "in.nq"
    path.write_text("".join(quads), encoding="utf-8")
    assert export_file(path, "nq") == "".join(quads[1:]).encode()
    assert export_file(path, "nt") == f'<{ID}a> <{ID}p> <{ID}o> .\n<{ID}b> <{ID}p> "x" .\n'.encode()
