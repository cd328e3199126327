"""Every published syntax: parses back to the same graph, passes independent parsers, and VoID."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from nato_iraq_kg.cli import cli
from nato_iraq_kg.errors import CheckFailure
from nato_iraq_kg.formats.lines_and_xml import ntriples, rdfxml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FACT_FILES = {"nato-iraq.ttl": "turtle", "nato-iraq.nt": "nt", "nato-iraq.rdf": "xml"}
DATASET_FILES = {"nato-iraq.trig": "trig", "nato-iraq.nq": "nquads"}
RAPPER_SYNTAX = {"nato-iraq.ttl": "turtle", "nato-iraq.nt": "ntriples", "nato-iraq.rdf": "rdfxml"}


@pytest.fixture(scope="module")
def facts() -> Graph:
    """The facts as Turtle, the reference every other syntax must equal."""
    return Graph().parse(DATA / "nato-iraq.ttl", format="turtle")


def quads(path: Path, fmt: str) -> set[tuple]:
    """Return the set of quads in a dataset file."""
    dataset = Dataset()
    dataset.parse(path, format=fmt)
    return {(s, p, o, g) for s, p, o, g in dataset.quads()}


@pytest.mark.parametrize(("name", "fmt"), sorted(FACT_FILES.items()))
def test_every_facts_syntax_parses_back_to_the_same_graph(
    facts: Graph, name: str, fmt: str
) -> None:
    """Turtle, N-Triples and RDF/XML hold one and the same graph."""
    assert isomorphic(Graph().parse(DATA / name, format=fmt), facts)


def test_trig_and_nquads_hold_the_same_dataset() -> None:
    """TriG and N-Quads hold the same quads, in the same named graphs."""
    trig = quads(DATA / "nato-iraq.trig", "trig")
    assert len(trig) > 5000
    assert trig == quads(DATA / "nato-iraq.nq", "nquads")


def test_the_facts_are_the_dataset_without_the_evidence_graph(facts: Graph) -> None:
    """Merging every named graph but graph/evidence gives the facts file."""
    evidence = URIRef("https://w3id.org/nato-iraq-kg/graph/evidence")
    merged = Graph()
    for s, p, o, g in quads(DATA / "nato-iraq.trig", "trig"):
        if g != evidence:
            merged.add((s, p, o))
    assert isomorphic(merged, facts)


@pytest.mark.parametrize(("name", "syntax"), sorted(RAPPER_SYNTAX.items()))
def test_raptor_accepts_each_facts_file(facts: Graph, name: str, syntax: str) -> None:
    """Debian's rapper (an independent parser) reads every triple of each facts file."""
    rapper = shutil.which("rapper")
    assert rapper, "rapper is missing: make test installs raptor2-utils"
    done = subprocess.run(
        [rapper, "-q", "-i", syntax, "-o", "ntriples", str(DATA / name)],
        capture_output=True,
        check=True,
    )
    assert isomorphic(Graph().parse(data=done.stdout, format="nt"), facts)


def test_raptor_accepts_the_dataset_files() -> None:
    """rapper reads the TriG and N-Quads files with the same number of statements."""
    counts = []
    for name, syntax in (("nato-iraq.trig", "trig"), ("nato-iraq.nq", "nquads")):
        done = subprocess.run(
            ["rapper", "-c", "-i", syntax, str(DATA / name)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        counts.append(int(done.stderr.split("returned ")[1].split()[0]))
    assert counts[0] == counts[1] == len(quads(DATA / "nato-iraq.nq", "nquads"))


@pytest.mark.parametrize("fmt", ["ttl", "nt", "xml", "trig", "nq"])
def test_export_prints_exactly_the_built_file(fmt: str) -> None:
    """`export --format X` writes the same bytes as the build's file."""
    name = {"ttl": "nato-iraq.ttl", "nt": "nato-iraq.nt", "xml": "nato-iraq.rdf"}.get(
        fmt, f"nato-iraq.{fmt}"
    )
    result = CliRunner().invoke(cli, ["export", "--format", fmt])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (DATA / name).read_text(encoding="utf-8")


def test_export_unknown_format_lists_the_known_ones() -> None:
    """An unknown format: exit 2 and the list of formats."""
    result = CliRunner().invoke(cli, ["export", "--format", "yaml"])
    assert result.exit_code == 2
    assert "'jsonld', 'nq', 'nt', 'trig', 'ttl', 'xml'" in result.stderr


def test_export_to_an_unwritable_path_leaves_no_file(tmp_path: Path) -> None:
    """A path whose folder is a file: exit 2, a clear line, nothing left behind."""
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", "--format", "ttl", "-o", str(blocker / "out.ttl")])
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_awkward_literals_are_escaped_or_refused() -> None:
    """Control characters: escaped in N-Triples, refused by XML; lone surrogates refused."""
    s, p = URIRef("https://w3id.org/nato-iraq-kg/id/actor/x"), URIRef("http://e/p")
    graph = Graph()
    graph.add((s, p, Literal('bell\x07 quote" backslash\\ newline\n tab\t', lang="en")))
    assert isomorphic(Graph().parse(data=ntriples(graph), format="nt"), graph)
    with pytest.raises(CheckFailure, match=r"XML 1\.0 cannot carry"):
        rdfxml(graph)
    lone = Graph()
    lone.add((s, p, Literal("half \ud800 pair")))
    with pytest.raises(CheckFailure, match="lone surrogate"):
        ntriples(lone)
    spaced = Graph()
    spaced.add((URIRef("https://example.org/a b"), p, Literal("x")))
    with pytest.raises(CheckFailure, match="no RDF syntax allows"):
        ntriples(spaced)


def test_void_counts_equal_the_real_ones(facts: Graph) -> None:
    """void.ttl's triple, class and property counts are those of the facts file."""
    void = Graph().parse(DATA / "void.ttl")
    dataset = URIRef("https://w3id.org/nato-iraq-kg/id/dataset")
    assert int(void.value(dataset, VOID.triples)) == len(facts)
    assert int(void.value(dataset, VOID.classes)) == len(set(facts.objects(None, RDF.type)))
    assert int(void.value(dataset, VOID.properties)) == len(set(facts.predicates()))
    for partition in void.objects(dataset, VOID.classPartition):
        cls = void.value(partition, VOID["class"])
        assert int(void.value(partition, VOID.entities)) == len(set(facts.subjects(RDF.type, cls)))


def test_void_linksets_count_the_checked_identity_links() -> None:
    """19 Wikidata and 8 DBpedia links, as the checked reference list allows for named entities."""
    void = Graph().parse(DATA / "void.ttl")
    base = "https://w3id.org/nato-iraq-kg/id/dataset/linkset/"
    assert int(void.value(URIRef(base + "wikidata"), VOID.triples)) == 19
    assert int(void.value(URIRef(base + "dbpedia"), VOID.triples)) == 8
    assert void.value(URIRef(base + "wikidata"), VOID.linkPredicate) == OWL.sameAs


def test_void_describes_every_distribution_with_size_and_checksum() -> None:
    """One dcat:Distribution per published file, with its real byte size and SHA-256."""
    void = Graph().parse(DATA / "void.ttl")
    distributions = list(void.subjects(RDF.type, DCAT.Distribution))
    names = {str(void.value(d, DCAT.downloadURL)).split("/data/", 1)[1] for d in distributions}
    published = {
        p.name
        for p in DATA.glob("*")
        if p.suffix in (".ttl", ".nt", ".rdf", ".jsonld", ".trig", ".nq")
    }
    tables = {f"tables/{p.name}" for p in (DATA / "tables").glob("*")}
    assert len(tables) == 7  # six CSV files and datapackage.json
    assert names == (published - {"void.ttl"}) | tables
    for distribution in distributions:
        name = str(void.value(distribution, DCAT.downloadURL)).split("/data/", 1)[1]
        data = (DATA / name).read_bytes()
        assert int(void.value(distribution, DCAT.byteSize)) == len(data)
        checksum = void.value(distribution, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert str(void.value(distribution, DCAT.mediaType)).startswith("https://www.iana.org/")


def test_rdf_type_as_an_object_is_written_as_a_name_not_as_a() -> None:
    """Regression: rdf:type in object position (VoID property partitions) stays rdf:type."""
    from nato_iraq_kg.formats.turtle import turtle

    graph = Graph()
    graph.add((URIRef("https://w3id.org/nato-iraq-kg/id/x"), VOID.property, RDF.type))
    text = turtle(graph)
    assert "void:property rdf:type" in text
    assert isomorphic(Graph().parse(data=text, format="turtle"), graph)


def test_void_is_validated_by_shapes_and_a_broken_one_fails() -> None:
    """The real void.ttl conforms; without a byte size or with a bad checksum it does not."""
    from nato_iraq_kg.check.shapes import validate_graph

    void = Graph().parse(DATA / "void.ttl")
    assert validate_graph(void).conforms
    broken = Graph().parse(DATA / "void.ttl")
    distribution = next(broken.subjects(RDF.type, DCAT.Distribution))
    broken.remove((distribution, DCAT.byteSize, None))
    checksum = broken.value(distribution, SPDX.checksum)
    broken.set((checksum, SPDX.checksumValue, Literal("not-a-digest")))
    report = validate_graph(broken)
    assert not report.conforms
    assert {r.focus for r in report.violations} == {str(distribution)}
    assert len(report.violations) == 2


def test_void_names_the_source_page_and_its_last_update() -> None:
    """The dataset's source is the NATO page revision, with its web address and last update."""
    void = Graph().parse(DATA / "void.ttl")
    dataset = URIRef("https://w3id.org/nato-iraq-kg/id/dataset")
    (source,) = void.objects(dataset, URIRef("http://purl.org/dc/terms/source"))
    page = URIRef("http://xmlns.com/foaf/0.1/page")
    assert str(void.value(source, page)) == "https://www.nato.int/cps/en/natohq/topics_88247.htm"
    modified = void.value(source, URIRef("http://purl.org/dc/terms/modified"))
    assert str(modified) == "2017-02-03T14:39:00"
