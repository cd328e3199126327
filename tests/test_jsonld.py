"""Tests for nato_iraq_kg.formats.jsonld: round trips via rdflib and pyld, stability, JSON use."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from pyld import jsonld as pyld
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

from nato_iraq_kg.formats.jsonld import (
    document_bytes,
    document_text,
    load_context,
    timeline_jsonld,
    to_jsonld,
    to_jsonld_bytes,
)
from nato_iraq_kg.namespaces import ID, NIK, prefixes
from nato_iraq_kg.paths import data_dir, ontology_file, project_root
from pyld_offline import RemoteDocumentRefused, expand_with_pyld

CONTEXT_FILE = project_root() / "ontology" / "context.jsonld"


@pytest.fixture(scope="module")
def facts() -> Graph:
    return Graph().parse(data_dir() / "nato-iraq.ttl", format="turtle")


@pytest.fixture(scope="module")
def document(facts: Graph) -> str:
    return to_jsonld(facts)


@pytest.fixture(scope="module")
def timeline(facts: Graph) -> dict:
    return json.loads(timeline_jsonld(facts))


def _pyld_graph(text: str) -> Graph:
    expanded = expand_with_pyld(text)
    nquads = pyld.to_rdf(expanded, {"format": "application/n-quads"})
    return Graph().parse(data=nquads, format="nt")  # default-graph N-Quads are N-Triples


def _expand_term(value: str, context: dict) -> str:
    prefix, _, rest = value.partition(":")
    namespace = context.get(prefix)
    return namespace + rest if isinstance(namespace, str) and namespace[-1:] in "/#" else value


def test_jsonld_parses_back_with_rdflib_to_the_turtle_facts(facts: Graph, document: str) -> None:
    """rdflib reads the JSON-LD back into a graph isomorphic to data/nato-iraq.ttl."""
    assert isomorphic(Graph().parse(data=document, format="json-ld"), facts)


def test_pyld_expands_the_jsonld_to_the_same_graph(facts: Graph, document: str) -> None:
    """pyld (not rdflib) expands the JSON-LD and its N-Quads parse to the Turtle facts."""
    assert isomorphic(_pyld_graph(document), facts)


def test_two_calls_give_identical_bytes(facts: Graph, document: str) -> None:
    """Serialising the same graph twice, and a re-parsed copy, gives the same bytes."""
    assert to_jsonld(facts) == document
    assert to_jsonld(Graph().parse(data=document, format="json-ld")) == document
    assert timeline_jsonld(facts) == timeline_jsonld(facts)
    assert document.endswith("}\n") and not document.endswith("\n\n")


def test_output_is_independent_of_the_hash_seed() -> None:
    """Subprocesses under different PYTHONHASHSEED values write byte-identical documents."""
    script = (
        "import hashlib, sys; from rdflib import Graph; "
        "from nato_iraq_kg.formats.jsonld import timeline_jsonld, to_jsonld; "
        f"g = Graph().parse({str(data_dir() / 'nato-iraq.ttl')!r}, format='turtle'); "
        "text = to_jsonld(g) + timeline_jsonld(g); "
        "print(hashlib.sha256(text.encode('utf-8')).hexdigest())"
    )
    digests = set()
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        digests.add(run.stdout.strip())
    assert len(digests) == 1


def test_plain_json_reading_finds_nato(document: str) -> None:
    """A plain JSON reader finds actor:nato with label NATO and its Wikidata sameAs link."""
    data = json.loads(document)
    assert isinstance(data["@context"], dict)
    nodes = {node["id"]: node for node in data["@graph"]}
    nato = nodes["actor:nato"]
    assert nato["label"] == "NATO"
    # its stated type, among the superclass types the graph ships (graph/entailed)
    assert "InternationalOrganization" in nato["type"]
    assert {"Actor", "Organization", "prov:Agent"} <= set(nato["type"])
    assert {"wd:Q7184", "http://www.wikidata.org/entity/Q7184"} & set(nato["sameAs"])
    assert [node["id"] for node in data["@graph"]] == sorted(nodes)


def test_every_key_in_the_facts_is_a_term(document: str) -> None:
    """Every fact fits a term of the context: no compact-IRI keys or value objects."""
    context = load_context()
    for node in json.loads(document)["@graph"]:
        for key, value in node.items():
            assert key in context, key
            for item in value if isinstance(value, list) else [value]:
                assert not isinstance(item, dict), (node["id"], key, item)


def test_context_is_valid_json_and_covers_every_predicate(facts: Graph) -> None:
    """The context file is JSON, matches the project prefixes and names every predicate."""
    context = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    assert context == load_context()
    assert context["id"] == "@id" and context["type"] == "@type"
    for name, namespace in prefixes().items():
        assert context.get(name) == namespace, f"context.jsonld lacks the project prefix {name}"
    terms = {
        _expand_term(value if isinstance(value, str) else value["@id"], context)
        for name, value in context.items()
        if not name.startswith("@")
    }
    used = {str(p) for p in facts.predicates() if p != RDF.type}
    used |= {str(c) for c in facts.objects(None, RDF.type)}
    assert sorted(iri for iri in used if iri not in terms) == []


def test_every_ontology_term_in_the_context_exists() -> None:
    """Each nik: IRI the hand-written context names is declared in ontology/nato-iraq.ttl."""
    context = load_context()
    ontology = Graph().parse(ontology_file(), format="turtle")
    declared = set(ontology.subjects(RDF.type, None))
    for name, value in context.items():
        if name.startswith("@") or (isinstance(value, str) and value[-1:] in "/#"):
            continue  # keywords and prefixes
        iri = _expand_term(value if isinstance(value, str) else value["@id"], context)
        if iri.startswith(str(NIK)):
            assert URIRef(iri) in declared, name


def test_timeline_has_one_entry_per_dated_event_in_date_order(facts: Graph, timeline: dict) -> None:
    """The timeline lists each dated event once, by date, each with nested dates and links."""
    events = {s for s in facts.subjects(NIK.date) if str(s).startswith(f"{ID}event/")}
    entries = timeline["@graph"]
    assert len(entries) == len(events) == len({entry["id"] for entry in entries})
    keys = []
    for entry in entries:
        assert entry["label"] and entry["type"]
        assert all(date["earliestDate"] and date["label"] for date in entry["hasDate"])
        keys.append((max(date["earliestDate"] for date in entry["hasDate"]), entry["id"]))
        for key in ("hasPlace", "agent", "participant", "counterpart", "concerns", "subEventOf"):
            links = entry.get(key, [])
            for link in links if isinstance(links, list) else [links]:
                assert set(link) == {"id", "label"}, (entry["id"], key)
    assert keys == sorted(keys)
    wales = next(entry for entry in entries if entry["id"] == "event:2014-wales-summit")
    assert wales["hasPlace"] == [{"id": "place:wales", "label": "Wales"}]


def test_timeline_states_only_facts(facts: Graph, timeline: dict) -> None:
    """Every triple the timeline carries, as rdflib and pyld read it, is in the facts."""
    text = json.dumps(timeline)
    for graph in (Graph().parse(data=text, format="json-ld"), _pyld_graph(text)):
        assert len(graph) > 300
        assert all(triple in facts for triple in graph)


def test_values_no_term_fits_still_round_trip() -> None:
    """Literals that fit no term fall back to full value objects and round-trip both ways."""
    from rdflib.namespace import XSD  # imported here: pytest probes module globals

    graph = Graph()
    node = ID["actor/example"]
    graph.add((node, RDFS.label, Literal("sans langue")))
    graph.add((node, RDFS.label, Literal("en français", lang="fr")))
    graph.add((node, NIK.purpose, Literal("42", datatype=XSD.integer)))
    graph.add((node, NIK.isOngoing, Literal("false", datatype=XSD.boolean)))
    graph.add((node, NIK.sha256, Literal("2017-02-03", datatype=XSD.date)))
    graph.add((node, NIK.agent, Literal("not a link")))
    graph.add((node, URIRef("http://example.org/vocab#unknown"), URIRef("http://example.org/x")))
    text = to_jsonld(graph)
    assert '"isOngoing": false' in text and '"@language": "fr"' in text
    assert '"rdfs:label": [' in text and '"nik:agent": "not a link"' in text
    assert isomorphic(Graph().parse(data=text, format="json-ld"), graph)
    assert isomorphic(_pyld_graph(text), graph)


def test_remote_context_is_refused_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """A document with a remote @context URL makes expand_with_pyld raise before any network use."""
    attempts: list[object] = []

    def no_network(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    remote = json.dumps({"@context": "https://schema.org/", "name": "NATO"})
    with pytest.raises(RemoteDocumentRefused, match=r"https://schema\.org/"):
        expand_with_pyld(remote)
    assert attempts == []


def _standard(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_orjson_writes_the_bytes_the_standard_library_writes() -> None:
    """Every escape, non-ASCII text, key order and empty container as ``json.dumps`` has them."""
    every_char = "".join(map(chr, range(0x800)))  # every control, ASCII, Latin, Greek, ...
    odd = ["\u2028\u2029\u0085", "\ufeff\ufffe\uffff", "\U0001f600\U0010ffff", '\\"/', ""]
    keys = ["\ue000", "\uffff", "\U0001f600", "a", "Z", "é", "\x7f", "", "@id", "@graph"]
    document = {
        "text": [every_char, *odd],
        "keys": {key: index for index, key in enumerate(keys)},
        "empty": [{}, [], {"x": []}],
        "values": [True, False, None, 0, -5, 123456789012345, 2**63 - 1],
        every_char[:40]: "control characters in a key",
    }
    assert document_bytes(document) == _standard(document).encode("utf-8")
    assert document_text(document) == _standard(document)


def test_what_orjson_refuses_is_written_as_the_standard_library_wrote_it() -> None:
    """A lone surrogate and an integer past 64 bits go to ``json``: same text, same error."""
    huge = {"n": [2**70, -(2**70)]}
    assert document_bytes(huge) == _standard(huge).encode("utf-8")
    lone = {"label": "half a pair \ud800"}
    assert document_text(lone) == _standard(lone)
    with pytest.raises(UnicodeEncodeError):
        document_bytes(lone)


def test_jsonld_bytes_are_the_jsonld_text_encoded(facts: Graph, document: str) -> None:
    """The export's bytes writer and the build's text writer give one document."""
    assert to_jsonld_bytes(facts) == document.encode("utf-8")


def test_one_predicate_with_values_of_every_kind_gets_the_term_each_fits() -> None:
    """The term chosen for a predicate is chosen again for each datatype, language and kind.

    The writer decides once per (predicate, kind, datatype, language): values of one predicate
    that need different keys, in every order, must each get their own.
    """
    from rdflib.namespace import XSD  # imported here: pytest probes module globals

    values = [
        Literal("in English", lang="en"),
        Literal("sans langue"),
        Literal("en français", lang="fr"),
        Literal("7", datatype=XSD.nonNegativeInteger),
        Literal("07", datatype=XSD.nonNegativeInteger, normalize=False),
        Literal("8", datatype=XSD.positiveInteger),
        URIRef("http://example.org/x"),
    ]
    for order in (values, values[::-1]):
        graph = Graph()
        for number, value in enumerate(order):
            graph.add((ID[f"actor/a{number}"], RDFS.label, value))
            graph.add(
                (
                    ID[f"actor/a{number}"],
                    URIRef(
                        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#beginIndex"
                    ),
                    value,
                )
            )
        nodes = {node["id"]: node for node in json.loads(to_jsonld(graph))["@graph"]}
        found = {str(nodes[f"actor:a{n}"].get("label")) for n in range(len(order))}
        assert "in English" in found and "None" in found  # only @en fits "label"
        begins = [nodes[f"actor:a{n}"].get("beginIndex") for n in range(len(order))]
        assert sorted(b for b in begins if isinstance(b, int)) == [7]  # "07" is not canonical
        assert "07" in begins  # a non-canonical integer under its term stays text
