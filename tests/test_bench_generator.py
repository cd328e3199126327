"""Tests for the benchmarks' scale generator (bench/scale.py): behaviour only, never timings."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import RDF, RDFS, Dataset, Graph, URIRef

from nato_iraq_kg.check.shapes import load_shapes, validate_graph
from nato_iraq_kg.namespaces import NIK, OA

ROOT = Path(__file__).resolve().parents[1]
ACTOR = re.compile(r"<https://w3id\.org/nato-iraq-kg/id/actor/([^>]+)>")


@pytest.fixture(scope="module")
def scale() -> ModuleType:
    """Import bench/scale.py, which is a script folder rather than a package."""
    spec = importlib.util.spec_from_file_location("scale", ROOT / "bench" / "scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def as_graph(lines: list[str]) -> Graph:
    """Parse N-Quads lines and return the union of their graphs, as the shapes see it."""
    dataset = Dataset()
    dataset.parse(data="\n".join(lines) + "\n", format="nquads")
    graph = Graph()
    for s, p, o, _ in dataset.quads():
        graph.add((s, p, o))
    return graph


@pytest.fixture(scope="module")
def smallest(scale: ModuleType) -> list[str]:
    """A small corpus: the real document and one invented country, trimmed as far as it goes."""
    return list(scale.generate(2 * len(scale.template_lines()) - 1000, seed=3))


def test_same_seed_gives_the_same_corpus(scale: ModuleType) -> None:
    """Two runs with one seed and size produce identical lines; another seed does not."""
    first = list(scale.generate(20_000, seed=11))
    assert first == list(scale.generate(20_000, seed=11))
    assert first != list(scale.generate(20_000, seed=12))


@pytest.mark.parametrize("target", [20_000, 40_000])
def test_size_is_near_the_target(scale: ModuleType, target: int) -> None:
    """A corpus lands within 15% of the size asked for (beyond the smallest, one copy)."""
    size = len(list(scale.generate(target, seed=5)))
    assert abs(size - target) <= 0.15 * target


def test_countries_get_their_own_things(scale: ModuleType) -> None:
    """The real document comes first; each invented country has its own actors besides."""
    template_actors = set(ACTOR.findall(scale.TEMPLATE.read_text(encoding="utf-8")))
    lines = list(scale.generate(3 * len(scale.template_lines()), seed=4))
    actors = set(ACTOR.findall("\n".join(lines)))
    assert len(actors) == 3 * len(template_actors)
    assert template_actors <= actors


def test_corpus_keeps_the_evidence_pattern(smallest: list[str]) -> None:
    """Every assertion graph of a copy is backed by a Web Annotation in the evidence graph."""
    assert len(smallest) > 1.5 * 7000  # the real document and most of one invented country
    graph = as_graph(smallest)
    assertions = set(graph.subjects(RDF.type, NIK.Assertion))
    bodies = set(graph.objects(None, OA.hasBody))
    assert assertions
    assert assertions <= bodies


def test_generated_corpus_conforms_to_the_shapes(smallest: list[str]) -> None:
    """A small generated corpus has no Violation and no Warning."""
    report = validate_graph(as_graph(smallest), shapes=load_shapes())
    assert report.conforms, report.text()
    assert not report.results, report.text()


def test_broken_corpus_fails_the_shapes(scale: ModuleType, smallest: list[str]) -> None:
    """Removing an actor's label from a generated corpus is a MinCount Violation on that actor."""
    graph = as_graph(smallest)
    template = scale.TEMPLATE.read_text(encoding="utf-8")
    actor = next(a for a in sorted(graph.subjects(RDF.type, NIK.State)) if f"<{a}>" not in template)
    assert isinstance(actor, URIRef)
    graph.remove((actor, RDFS.label, None))
    report = validate_graph(graph, shapes=load_shapes(), focus_nodes=[actor])
    assert not report.conforms
    assert (str(actor), "MinCountConstraintComponent") in {
        (r.focus, r.component) for r in report.violations
    }


def test_generated_corpus_passes_the_quality_checks(smallest: list[str]) -> None:
    """The trimmed copy leaves no area unused and no event unanchored: every check passes.

    ``nato-iraq-kg validate`` runs these checks too, so a corpus that failed them would make the
    benchmark's validation exit 1 on data the generator meant to be right.
    """
    import pyoxigraph

    from nato_iraq_kg.check.quality import add_ontology, run_quality_checks

    store = pyoxigraph.Store()
    store.load(("\n".join(smallest) + "\n").encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    add_ontology(store)
    failed = [result.name for result in run_quality_checks(store) if not result.passed]
    assert failed == []
