"""The producers of assertions: names, abbreviations, quotes at offsets, lists and milestones."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import SKOS

from nato_iraq_kg.curation.model import load_curation
from nato_iraq_kg.errors import CheckFailure
from nato_iraq_kg.extract.rules import abbreviation_assertions
from nato_iraq_kg.source.quotes import locate_quote
from nato_iraq_kg.source.revision import load_revisions

ROOT = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/nato-iraq-kg/id/"


@pytest.fixture(scope="module")
def revision():
    """The real source revision."""
    (only,) = load_revisions(ROOT / "data/source")
    return only


def test_abbreviation_goes_to_the_longest_name_only(revision) -> None:
    """Regression: "(NTM-I)" after "NATO Training Mission in Iraq" must not name Iraq."""
    curation = load_curation(revision.curation_path)
    found = abbreviation_assertions(revision, curation.entities.values())
    owners = {(t[0], str(t[2])) for a in found for t in a.triples if t[1] == SKOS.altLabel}
    assert (URIRef(ID + "programme/ntm-i"), "NTM-I") in owners
    assert (URIRef(ID + "area/countering-improvised-explosive-devices"), "C-IED") in owners
    assert all(owner != URIRef(ID + "actor/iraq") for owner, _ in owners)


def test_locate_quote_accepts_the_right_offset_and_names_the_fix(revision) -> None:
    """A quote at its offset is accepted; a wrong offset fails and says where the words are."""
    text = revision.text
    start = text.index("King Abdullah")
    assert locate_quote(text, "King Abdullah", start, "entry x") == start
    with pytest.raises(CheckFailure, match=rf"entry x: .* it occurs at \[{start}\]"):
        locate_quote(text, "King Abdullah", start + 1, "entry x")
    with pytest.raises(CheckFailure, match="no 'at' offset"):
        locate_quote(text, "King Abdullah", None, "entry x")
    with pytest.raises(CheckFailure, match="not found"):
        locate_quote(text, "Queen Abdullah", None, "entry x")


def test_a_missing_offset_names_curate_fill_offsets_or_the_choice_to_make(revision) -> None:
    """A quote without ``at:`` said only where it occurs, not which command fills it in."""
    text = revision.text
    with pytest.raises(CheckFailure, match=r"occurs once, at \d+ \('nato-iraq-kg curate fill-"):
        locate_quote(text, "King Abdullah", None, "entry x")
    assert text.count("NATO") > 1
    with pytest.raises(CheckFailure, match=r"occurs \d+ times, at \[.*\]: write the right one"):
        locate_quote(text, "NATO", None, "entry x")


def test_every_real_quote_states_its_dates_numbers_and_names(build) -> None:
    """The real curation passes the support check, including words that state a value otherwise.

    "early 2016" (a vague date), "one-year" (the number 1) and dates written in the sentence
    around the quote ("At the NATO Summit in Wales in 2014, ...", "2004: ...") must all pass.
    """
    from rdflib import Literal

    from nato_iraq_kg.extract.support import check_quotes_state_their_values, unsupported

    assert check_quotes_state_their_values(build.assertions, build.models) == len(build.assertions)
    values = [
        (item, o)
        for item in build.assertions
        for _, _, o in item.triples
        if "/id/date/" in str(o) or (isinstance(o, Literal) and o.datatype is not None)
    ]
    assert len(values) >= 50
    assert [a.key for a in build.assertions if unsupported(a) is not None] == []
    # The curated quotes now all show their own values; the sentence-around rule is still
    # exercised by shortening one: without "At the NATO Summit in Wales in 2014, " it lacks the
    # year, which its sentence has.
    wales = next(a for a in build.assertions if a.key == "fact-pc3-wales-reaffirmation")
    short = replace(wales, start=wales.start + wales.quote.index("Allied leaders"))
    assert "2014" not in short.quote
    assert unsupported(short) is not None
    assert check_quotes_state_their_values([short], build.models) == 1


def _rdflib_reading(turtle: str) -> tuple:
    """The reference: the entry's Turtle read by rdflib alone, as the build did before."""
    from rdflib import Graph

    from nato_iraq_kg.namespaces import prefixes

    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes().items())
    graph = Graph()
    graph.parse(data=header + turtle, format="turtle")
    return tuple(sorted(graph))


def _entry(turtle: str):
    from nato_iraq_kg.curation.model import FactEntry

    return FactEntry(
        key="k", quote="q", at=None, turtle=turtle, where="entry k", tier="stated", why=None
    )


def test_every_curated_turtle_reads_the_same_by_oxigraph_as_by_rdflib(revision) -> None:
    """The fast reading of each curated fact's Turtle gives rdflib's terms, repr for repr."""
    from nato_iraq_kg.extract.curated import parse_turtle

    facts = load_curation(revision.curation_path).facts
    assert len(facts) > 50
    for entry in facts:
        ours, reference = parse_turtle(entry), _rdflib_reading(entry.turtle)
        assert ours == reference, entry.where
        assert [repr(t) for t in ours] == [repr(t) for t in reference], entry.where


@pytest.mark.parametrize(
    "turtle",
    [
        'actor:nato rdfs:label "x"^^xsd:string .',
        'actor:nato rdfs:label "x"^^<http://www.w3.org/2001/XMLSchema#string> .',
        'actor:nato rdfs:label "Nato"@EN-gb, "nato"@en .',
        "actor:nato nik:count 1.50, 1e3, -0.0e1, 015, +5, true .",
        'actor:nato rdfs:label """two\nlines""", "\\u00e9\\U0001F600" .',
        "<< actor:nato nik:partner actor:iraq >> nik:partner actor:iraq .",
        "actor:nato nik:partner <relative> .",
    ],
)
def test_turtle_oxigraph_would_read_differently_is_read_as_rdflib_reads_it(turtle: str) -> None:
    """A written-out datatype, a capitalised language tag, a triple term, a relative IRI:
    the shortcut through Oxigraph must leave these to rdflib (or agree with it)."""
    from nato_iraq_kg.errors import KGError
    from nato_iraq_kg.extract.curated import parse_turtle

    try:
        reference = _rdflib_reading(turtle)
    except Exception:
        with pytest.raises(KGError):
            parse_turtle(_entry(turtle))
        return
    ours = parse_turtle(_entry(turtle))
    assert [repr(t) for t in ours] == [repr(t) for t in reference]


def test_strict_yaml_reads_like_the_pure_python_loader_and_fails_with_its_words(
    revision,
) -> None:
    """libyaml reads the curated file into the same data; an error is the pure loader's own."""
    import yaml

    from nato_iraq_kg.curation import model

    text = revision.curation_path.read_text(encoding="utf-8")
    assert model.load_strict_yaml(text) == yaml.load(text, Loader=model._StrictLoader)
    for bad in ("a: [\n", "a: 1\nb: 2\na: 3\n"):
        with pytest.raises(yaml.YAMLError) as pure:
            yaml.load(bad, Loader=model._StrictLoader)
        with pytest.raises(yaml.YAMLError) as ours:
            model.load_strict_yaml(bad)
        assert str(ours.value) == str(pure.value)
