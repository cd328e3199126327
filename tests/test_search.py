"""Search: what a reader expects to find for the page's own words, the CLI, and GET /search."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from nato_iraq_kg.cli import cli
from nato_iraq_kg.serve import create_app
from nato_iraq_kg.sparql.search import MAX_QUERY_CHARS, SearchIndex, fold, index_of_store

ID = "https://w3id.org/nato-iraq-kg/id/"


@pytest.fixture(scope="module")
def index(store: Any) -> SearchIndex:
    """The index of the built graph."""
    return index_of_store(store)


def ranked(index: SearchIndex, q: str) -> list[str]:
    """Return the hits' IRIs without the common base, best first."""
    return [hit.entry.iri.removeprefix(ID) for hit in index.search(q).hits]


def test_the_index_holds_every_kind_of_named_thing(index: SearchIndex) -> None:
    """Actors, programmes, events, places, areas, ... are all indexed; evidence itself is not."""
    kinds = {entry.kind for entry in index.entries}
    assert {"actor", "programme", "event", "place", "area", "office", "date"} <= kinds
    assert not any("/evidence/" in e.iri or "/assertion/" in e.iri for e in index.entries)
    assert len(index.entries) > 100


def test_mosul_finds_the_city_then_the_fight_then_the_talks(index: SearchIndex) -> None:
    """The city comes first, then the event named after it, then the talks whose quote says it."""
    hits = ranked(index, "Mosul")
    assert hits[:2] == ["place/mosul", "event/fight-to-liberate-mosul"]
    assert "event/2016-10-18-al-jaafari-stoltenberg-talks" in hits


def test_dcb_finds_the_initiative_and_the_package_first(index: SearchIndex) -> None:
    """The acronym finds both DCB programmes before the events that mention them."""
    hits = ranked(index, "DCB")
    assert set(hits[:2]) == {"programme/dcb-initiative", "programme/dcb-package-for-iraq"}
    assert "event/2015-07-31-dcb-package-agreement" in hits[:5]


def test_stoltenberg_finds_the_secretary_general_first(index: SearchIndex) -> None:
    """A surname finds the person first, then the events and photo named after him."""
    hits = ranked(index, "Stoltenberg")
    assert hits[0] == "actor/jens-stoltenberg"
    assert "event/2016-03-01-stoltenberg-meets-massoum-and-al-abadi" in hits


def test_counter_terrorism_finds_the_area_then_the_programme_by_its_quote(
    index: SearchIndex,
) -> None:
    """The cooperation area comes first; the partnership programme is found through its quote."""
    results = index.search("counter-terrorism")
    hits = [hit.entry.iri.removeprefix(ID) for hit in results.hits]
    assert hits[0] == "area/counter-terrorism"
    ipcp = next(hit for hit in results.hits if hit.entry.iri == ID + "programme/ipcp")
    assert ipcp.matched == "quote"
    assert ipcp.quote is not None
    assert [ipcp.quote.text[a:b] for a, b in ipcp.spans] == ["counter-terrorism"]


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("STOLTENBÉRG", "actor/jens-stoltenberg"),
        ("stolten", "actor/jens-stoltenberg"),
        ("counter terrorism", "area/counter-terrorism"),
        ("al jaafari", "actor/ibrahim-al-jaafari"),
        ("DCB Initiative", "programme/dcb-initiative"),
        ("ntm-i", "programme/ntm-i"),
    ],
)
def test_case_accents_hyphens_and_word_starts_do_not_matter(
    index: SearchIndex, q: str, first: str
) -> None:
    """Capitals, accents, hyphens and an unfinished last word find the same entity."""
    assert ranked(index, q)[0] == first


def test_folding_keeps_a_map_back_to_the_original_text() -> None:
    """Each folded character knows where it came from, so a match is marked in the original."""
    folded, origin = fold("Éte-Ab")
    assert folded == "ete ab"
    assert origin == [0, 1, 2, 3, 4, 5]
    assert fold("ﬁne")[0] == "fine"  # a ligature unfolds to two letters, both from index 0
    assert fold("ﬁne")[1][:2] == [0, 0]


@pytest.mark.parametrize("q", ["", "   ", "<>", "{ } ;", "zzzzqqq"])
def test_nothing_is_found_for_no_words_or_unknown_ones(index: SearchIndex, q: str) -> None:
    """An empty query, punctuation or an unknown word find nothing (and raise nothing)."""
    assert index.search(q).hits == ()


def test_a_long_query_is_cut_before_any_work(index: SearchIndex) -> None:
    """A query past the cap is cut to it and flagged; the words kept still find things."""
    results = index.search("Mosul " * 1000)
    assert results.truncated
    assert len(results.query) <= MAX_QUERY_CHARS
    assert results.hits and results.hits[0].entry.iri == ID + "place/mosul"


# --------------------------------------------------------------------------- the command


def test_search_command_prints_a_table_best_first() -> None:
    """`search Stoltenberg` prints the person in the first row, with a quote."""
    result = CliRunner().invoke(cli, ["search", "Stoltenberg", "--limit", "3"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split("|")[0].strip() == "label"
    assert lines[2].startswith("Jens Stoltenberg")
    assert lines[-1] == "(3 rows)"


def test_search_command_json_and_exit_codes() -> None:
    """JSON output lists the hits; no match exits 1, no words exits 2."""
    result = CliRunner().invoke(cli, ["search", "DCB", "--format", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["results"][0]["path"].startswith("/id/programme/dcb-")
    none = CliRunner().invoke(cli, ["search", "zzzzqqq"])
    assert none.exit_code == 1
    assert "nothing matches" in none.output
    empty = CliRunner().invoke(cli, ["search", "--", "<>"])
    assert empty.exit_code == 2


# --------------------------------------------------------------------------- GET /search


def test_search_page_links_each_hit_to_its_entity_with_the_quote(client: TestClient) -> None:
    """The HTML answer links to the entity pages and marks the matching words in the quote."""
    response = client.get("/search", params={"q": "counter-terrorism"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["vary"] == "Accept"
    page = response.text
    assert '<a class="hit" href="/id/area/counter-terrorism">counter-terrorism</a>' in page
    assert '<a class="hit" href="/id/programme/ipcp">' in page
    assert "<mark>counter-terrorism</mark>" in page
    assert page.index("/id/area/counter-terrorism") < page.index("/id/programme/ipcp")


@pytest.mark.parametrize(
    "headers, params",
    [({"Accept": "application/json"}, {}), ({}, {"format": "json"})],
)
def test_search_answers_json_when_asked(
    client: TestClient, headers: dict[str, str], params: dict[str, str]
) -> None:
    """JSON by Accept or by ``format=json``, in the same order as the command line."""
    response = client.get("/search", params={"q": "Mosul", **params}, headers=headers)
    assert response.headers["content-type"].startswith("application/json")
    answer = response.json()
    assert [r["path"] for r in answer["results"][:2]] == [
        "/id/place/mosul",
        "/id/event/fight-to-liberate-mosul",
    ]
    assert answer["results"][0]["quote"]["marks"] == [[0, 5]]


HOSTILE = [
    '<script>alert(1)</script>"><img src=x onerror=alert(2)>',
    "</title><body onload=alert(1)>",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL ; SERVICE <http://127.0.0.1:1/> {}",
    "x\u202e\u0000\ud7ff" + "A" * 5000,
    "Mosul" + "\u0301" * 3000,
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_are_escaped_and_capped(client: TestClient, q: str) -> None:
    """Markup comes back as text, SPARQL is just words, and the query shown is capped."""
    response = client.get("/search", params={"q": q})
    assert response.status_code == 200
    page = response.text
    assert "<script>alert" not in page and "<img src=x" not in page and "<body onload" not in page
    assert "onerror=alert(2)>" not in page
    answer = client.get("/search", params={"q": q, "format": "json"}).json()
    assert len(answer["query"]) <= MAX_QUERY_CHARS
    assert answer["truncated"] == (len(" ".join(q.split())) > MAX_QUERY_CHARS)


def test_a_huge_query_string_is_refused(store: Any) -> None:
    """A query string past the request cap is refused with 414 before any search."""
    small = TestClient(create_app(store=store, max_body_bytes=1000))  # no lifespan: no workers
    assert small.get("/search", params={"q": "a" * 990}).status_code == 200
    assert small.get("/search", params={"q": "a" * 2000}).status_code == 414


@pytest.mark.parametrize("path", ["/", "/timeline", "/query", "/id/actor/nato", "/search?q=x"])
def test_every_page_has_the_search_box(client: TestClient, path: str) -> None:
    """The common header carries a GET form to /search with a field named q."""
    page = client.get(path, headers={"Accept": "text/html"}).text
    assert '<form class="site-search" role="search" method="get" action="/search">' in page
    assert 'name="q"' in page
