"""The ontology documentation: a complete, self-contained, byte-stable page and a class diagram."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from nato_iraq_kg.docs import diagram as docs_diagram
from nato_iraq_kg.docs import generate as docs
from nato_iraq_kg.docs import html as docs_html
from nato_iraq_kg.docs.generate import DOT_NAME, HTML_NAME, MAIN_CLASSES, SVG_NAME, write_docs
from nato_iraq_kg.namespaces import NIK

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "nato-iraq.ttl"
FACTS = ROOT / "data" / "nato-iraq.ttl"
DATASET = ROOT / "data" / "nato-iraq.trig"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    """The parsed ontology."""
    return Graph().parse(ONTOLOGY)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The files that one run of write_docs writes, by name."""
    out_dir = tmp_path_factory.mktemp("docs")
    paths = write_docs(ONTOLOGY, FACTS, out_dir)
    return {path.name: path for path in paths}


@pytest.fixture(scope="module")
def page(written: dict[str, Path]) -> str:
    """The generated HTML page."""
    return written[HTML_NAME].read_text(encoding="utf-8")


def own_terms(ontology: Graph) -> list[URIRef]:
    """Every class and property the ontology declares in its own namespace."""
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return sorted(
        {
            s
            for kind in kinds
            for s in ontology.subjects(RDF.type, kind)
            if isinstance(s, URIRef) and str(s).startswith(str(NIK))
        }
    )


def term_section(page: str, name: str) -> str:
    """The HTML section that documents one term."""
    match = re.search(rf'<section class="term" id="{re.escape(name)}">.*?</section>', page, re.S)
    assert match, f"no section for nik:{name}"
    return match.group(0)


def test_write_docs_returns_the_three_files(written: dict[str, Path]) -> None:
    """write_docs returns the page, the diagram source and the SVG, all written."""
    assert sorted(written) == sorted([HTML_NAME, DOT_NAME, SVG_NAME])
    assert all(path.stat().st_size > 0 for path in written.values())


def test_page_lists_every_class_and_property(ontology: Graph, page: str) -> None:
    """Every nik: class and property of the ontology has its own section with its full IRI."""
    terms = own_terms(ontology)
    assert len(terms) > 100
    sections = re.findall(r'<section class="term" id="([^"]+)">', page)
    assert len(sections) == len(terms)
    for term in terms:
        name = str(term)[len(str(NIK)) :]
        assert f'id="{name}"' in page
        assert str(term) in page


def test_every_term_shows_its_label_and_definition(ontology: Graph, page: str) -> None:
    """Each section shows the term's English label and its skos:definition."""
    terms = docs.ontology_terms(ontology)
    for term in [t for kind in terms.values() for t in kind]:
        section = term_section(page, term.name)
        assert docs_html._e(term.label) in section
        assert term.definition and docs_html._e(term.definition) in section


def test_alignments_domains_and_ranges_are_shown(page: str) -> None:
    """Superclasses in other vocabularies, superproperties, domains and ranges are listed."""
    actor = term_section(page, "Actor")
    for aligned in ("prov:Agent", "foaf:Agent", "sem:Actor"):
        assert aligned in actor
    participant = term_section(page, "participant")
    assert "sem:hasActor" in participant
    assert "<dt>Domain</dt>" in participant and "#Event" in participant
    assert "<dt>Range</dt>" in participant and "#Actor" in participant


def test_main_classes_have_examples_from_the_data(page: str) -> None:
    """Each main class shows an instance from the data (an IRI and, where it has one, a label)."""
    for name in MAIN_CLASSES:
        section = term_section(page, name)
        assert 'class="example"' in section, name
    signing = term_section(page, "Signing")
    assert "event:2012-09-24-ipcp-signing" in signing
    assert "Individual Partnership and Cooperation Programme is signed" in signing


def test_property_examples_are_triples_with_labels(page: str) -> None:
    """A property's example is a triple from the data, with its subject's and object's labels."""
    agent = term_section(page, "agent")
    example = re.search(r'<div class="example">(.*?)</div>', agent, re.S)
    assert example
    assert "<code>nik:agent</code>" in example.group(1)
    assert example.group(1).count("<q>") == 2


def test_only_unused_properties_lack_an_example(ontology: Graph, page: str) -> None:
    """Exactly the properties that neither the facts nor the dataset use have no example."""
    used = {p for p in Graph().parse(FACTS).predicates()}
    dataset = docs.load_example_data(FACTS).secondary
    used.update(dataset.predicates())
    properties = [
        t
        for t in own_terms(ontology)
        if (t, RDF.type, OWL.ObjectProperty) in ontology
        or (t, RDF.type, OWL.DatatypeProperty) in ontology
    ]
    for prop in properties:
        section = term_section(page, str(prop)[len(str(NIK)) :])
        assert ("Not used in the data." in section) == (prop not in used), prop


class _AssetFinder(HTMLParser):
    """Collects the URLs a page would load by itself: scripts, stylesheets, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"script", "img", "iframe", "embed", "source"} and values.get("src"):
            self.assets.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.assets.append(values["href"] or "")
        if tag == "object" and values.get("data"):
            self.assets.append(values["data"] or "")


def test_page_loads_nothing_remote(page: str) -> None:
    """No script, stylesheet, image or frame comes from http(s), and the CSS imports nothing."""
    finder = _AssetFinder()
    finder.feed(page)
    for url in finder.assets:
        assert not re.match(r"(?i)(https?:)?//", url), url
    assert "<script" not in page
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style and "@import" not in style.group(1) and "url(" not in style.group(1)


def test_output_is_byte_identical_on_two_runs(written: dict[str, Path], tmp_path: Path) -> None:
    """A second run on the same inputs writes exactly the same bytes."""
    again = {path.name: path for path in write_docs(ONTOLOGY, FACTS, tmp_path)}
    for name, path in written.items():
        assert again[name].read_bytes() == path.read_bytes(), name


def test_page_has_no_timestamp_or_local_path(page: str) -> None:
    """The page names its inputs by file name only and carries no generation time."""
    assert str(ROOT) not in page
    without_examples = re.sub(r'<div class="example">.*?</div>', "", page, flags=re.S)
    assert not re.search(r"\d{2}:\d{2}:\d{2}", without_examples)


def test_diagram_source_names_the_main_classes(written: dict[str, Path]) -> None:
    """The .dot source has a node for each main class, subclass links and labelled properties."""
    source = written[DOT_NAME].read_text(encoding="utf-8")
    for name in MAIN_CLASSES:
        assert re.search(rf"^  {name} \[label=<", source, re.M), name
    assert "Person -> Actor [arrowhead=empty" in source
    assert "State -> Place [arrowhead=empty" in source
    assert re.search(r"^  Event -> Actor \[label=\"[^\"]*participant", source, re.M)
    assert re.search(r"^  Evidence -> Assertion \[label=\"oa:hasBody\"", source, re.M)


def test_svg_is_well_formed(written: dict[str, Path]) -> None:
    """The rendered diagram parses as XML with an <svg> root that names the main classes."""
    root = ET.parse(written[SVG_NAME]).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = written[SVG_NAME].read_text(encoding="utf-8")
    for name in MAIN_CLASSES:
        assert f"nik:{name}" in text


def test_missing_dot_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Graphviz the error names the Debian package to install."""
    monkeypatch.setattr(docs_diagram.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="graphviz"):
        docs.render_svg("digraph { a -> b }")


def test_committed_docs_match_a_fresh_generation(tmp_path: Path) -> None:
    """docs/ontology.html and the diagram's .dot are what the generator writes today."""
    from nato_iraq_kg.docs.generate import write_docs

    root = Path(__file__).resolve().parents[1]
    write_docs(root / "ontology" / "nato-iraq.ttl", root / "data" / "nato-iraq.ttl", tmp_path)
    for name in ("ontology.html", "ontology-diagram.dot"):
        assert (tmp_path / name).read_bytes() == (root / "docs" / name).read_bytes(), name
