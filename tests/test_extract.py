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
