"""Source revisions: carried by the project, checked by hash, and more than one at a time."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from nato_iraq_kg.build.pipeline import assemble
from nato_iraq_kg.errors import InputError
from nato_iraq_kg.namespaces import EVIDENCE_GRAPH, OA
from nato_iraq_kg.source.revision import load_revisions, read_exact_text

ROOT = Path(__file__).resolve().parents[1]
TEXT = ROOT / "data/source/nato-relations-with-iraq-2017-02-03.txt"


def test_the_project_carries_the_source_byte_for_byte() -> None:
    """The text's SHA-256 is the one published with the document."""
    digest = hashlib.sha256(TEXT.read_bytes()).hexdigest()
    assert digest == "abfba227834e56ace038809342e6c8c7e11ce01103b1da8f9da2f393343044b2"
    assert len(TEXT.read_bytes().decode("utf-8")) == 7839


def test_metadata_states_the_documents_facts() -> None:
    """Title, web address, last-updated and language come from the source's README."""
    (revision,) = load_revisions(ROOT / "data/source")
    assert revision.title == "Relations with Iraq"
    assert revision.url == "https://www.nato.int/cps/en/natohq/topics_88247.htm"
    assert revision.last_updated_text == "03 Feb. 2017 14:39"
    assert revision.last_updated == "2017-02-03T14:39:00"
    assert revision.language == "en"
    assert revision.iri == URIRef(
        "https://w3id.org/nato-iraq-kg/id/source/nato-relations-with-iraq-2017-02-03"
    )


def test_an_altered_text_is_refused(tmp_path: Path) -> None:
    """One changed character makes the hash check fail with the file named."""
    altered = tmp_path / "t.txt"
    altered.write_bytes(TEXT.read_bytes().replace(b"2004", b"2005", 1))
    with pytest.raises(InputError, match=r"t\.txt: SHA-256 is"):
        read_exact_text(altered, hashlib.sha256(TEXT.read_bytes()).hexdigest())


def test_a_second_revision_builds_beside_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding another revision's text, metadata and curated file needs no code change."""
    for folder in ("ontology", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    source = tmp_path / "data/source"
    meta = (source / "nato-relations-with-iraq-2017-02-03.toml").read_text(encoding="utf-8")
    (source / "second.toml").write_text(
        meta.replace('slug = "nato-relations-with-iraq-2017-02-03"', 'slug = "second-revision"')
        .replace("../curation/nato-relations-with-iraq-2017-02-03.yaml", "../curation/second.yaml")
        .replace('last_updated = "2017-02-03T14:39:00"', 'last_updated = "2017-03-01T10:00:00"'),
        encoding="utf-8",
    )
    curation = (tmp_path / "data/curation/nato-relations-with-iraq-2017-02-03.yaml").read_text(
        encoding="utf-8"
    )
    (tmp_path / "data/curation/second.yaml").write_text(
        curation.replace("source: nato-relations-with-iraq-2017-02-03", "source: second-revision"),
        encoding="utf-8",
    )
    monkeypatch.setenv("NATO_IRAQ_KG_ROOT", str(tmp_path))
    result = assemble()
    assert [r.slug for r in result.revisions] == [
        "nato-relations-with-iraq-2017-02-03",
        "second-revision",
    ]
    evidence = result.graphs[EVIDENCE_GRAPH]
    sources = {
        evidence.value(evidence.value(a, OA.hasTarget), OA.hasSource)
        for a in evidence.subjects(RDF.type, OA.Annotation)
    }
    assert sources == {r.iri for r in result.revisions}
    assert len(result.assertions) % 2 == 0
    slugs = {a.source.slug for a in result.assertions}
    assert slugs == {"nato-relations-with-iraq-2017-02-03", "second-revision"}
