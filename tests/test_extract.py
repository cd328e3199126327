"""The producers of assertions: names, abbreviations, quotes at offsets, lists and milestones."""

from __future__ import annotations

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
