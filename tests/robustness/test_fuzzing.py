"""Property-based tests (catalogue cases 9, 12, 13, 17): random input ends in a result or a clear
error, never a crash or a hang.

Example counts are kept moderate so the suite stays fast; each property names what it allows.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD
from starlette.testclient import TestClient

from nato_iraq_kg import paths
from nato_iraq_kg.errors import CheckFailure, InputError
from nato_iraq_kg.formats import jsonld
from nato_iraq_kg.formats import lines_and_xml as export
from nato_iraq_kg.formats import turtle as serialize
from nato_iraq_kg.guard.rdf_input import parse_rdf, to_rdflib
from nato_iraq_kg.serve.app import create_app
from nato_iraq_kg.source.dates import DateFormatError, parse_key, parse_phrase
from nato_iraq_kg.source.document import DocumentModel, DocumentShapeError, segment
from nato_iraq_kg.source.revision import load_revisions
from nato_iraq_kg.sparql.local import competency_questions, load_graph

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SUBJECT = URIRef("https://w3id.org/nato-iraq-kg/id/actor/fuzz")
PROPERTY = URIRef("https://w3id.org/nato-iraq-kg/ontology#note")

# --- dates and evidence spans -------------------------------------------------------------------

date_words = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"(early|mid|late)?[ -]?[0-9]{1,5}", fullmatch=True),
    st.from_regex(r"[0-9]{1,3} [A-Za-z]{3,9}\.? [0-9]{3,5}", fullmatch=True),
    st.from_regex(r"[0-9]{4}-[0-9]{1,2}(-[0-9]{1,2})?", fullmatch=True),
)


@FUZZ
@given(date_words)
def test_date_code_gives_a_value_or_a_date_error(words: str) -> None:
    """Any text into the date parsers: a date value with sane bounds, or DateFormatError."""
    for parse in (parse_phrase, parse_key):
        try:
            value = parse(words)
        except DateFormatError as error:
            assert str(error)
            continue
        assert value.earliest <= value.latest
        assert 1000 <= value.earliest.year <= 9999


@cache
def document() -> DocumentModel:
    """The segmented text of the first source revision."""
    return segment(load_revisions(paths.source_dir())[0].text)


@FUZZ
@given(st.integers(-50, 20_000), st.integers(-50, 20_000))
def test_evidence_spans_locate_a_part_or_say_why_not(start: int, end: int) -> None:
    """Any span: the part holding it and its sentences, or a ValueError naming the span."""
    model = document()
    try:
        part = model.leaf_part_at(start, end)
    except ValueError as error:
        assert f"[{start}, {end})" in str(error)
    else:
        assert part.start <= start <= end <= part.end
    for sentence in model.sentences_overlapping(start, end):
        assert sentence.start < max(end, start + 1) and start < sentence.end


@FUZZ
@given(st.text(max_size=400))
def test_segmenting_random_text_gives_a_model_or_a_shape_error(text: str) -> None:
    """Any text into the segmenter: a document model whose parts lie in the text, or an error."""
    try:
        model = segment(text)
    except DocumentShapeError as error:
        assert str(error)
        return
    assert all(0 <= p.start <= p.end <= len(text) for p in model.parts)


# --- literals through every export and back ---------------------------------------------------

nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "\r\n", "\ufeff", "\u202eevil", "</title>"]),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=10),
)
language_tags = st.one_of(
    st.sampled_from(["en", "en-GB", "ar-IQ", "en_US", "", "toolongtag", "1a", "en-"]),
    st.from_regex(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,2}", fullmatch=True),
)
typed_values = st.one_of(
    st.tuples(st.integers().map(str), st.just(XSD.integer)),
    st.tuples(st.integers(10**4999, 10**5000).map(str), st.just(XSD.integer)),
    st.tuples(st.text(max_size=10), st.sampled_from([XSD.integer, XSD.boolean, XSD.date])),
    st.just(("99999-01-01T00:00:00", XSD.dateTime)),
    st.just(("abc", XSD.integer)),
)


@st.composite
def literals(draw: Any) -> Any:
    """Return a literal built from hostile parts, or the ValueError its construction raised."""
    kind = draw(st.sampled_from(["plain", "language", "typed"]))
    try:
        if kind == "plain":
            return Literal(draw(nasty_text))
        if kind == "language":
            return Literal(draw(nasty_text), lang=draw(language_tags))
        value, datatype = draw(typed_values)
        return Literal(value, datatype=datatype)
    except ValueError as error:
        return error


def exports(graph: Graph) -> dict[str, tuple[str, str]]:
    """Return each export of ``graph``: name -> (Oxigraph format, text)."""
    graphs = {URIRef("https://w3id.org/nato-iraq-kg/graph/fuzz"): graph}
    return {
        "turtle": ("TURTLE", lambda: serialize.turtle(graph)),
        "trig": ("TRIG", lambda: serialize.trig(graphs)),
        "ntriples": ("N_TRIPLES", lambda: export.ntriples(graph)),
        "nquads": ("N_QUADS", lambda: export.nquads(graphs)),
        "rdfxml": ("RDF_XML", lambda: export.rdfxml(graph)),
        "jsonld": ("JSON_LD", lambda: jsonld.to_jsonld(graph)),
    }


@FUZZ
@given(literals())
def test_every_export_escapes_a_literal_or_refuses_it_before_writing(literal: Any) -> None:
    """Case 13: each export gives text that parses back strictly to the same literal, or refuses.

    A refusal is a CheckFailure or ValueError raised while building the text, so nothing is
    written. Bad language tags may also be refused when the literal is made.
    """
    if isinstance(literal, ValueError):
        assert str(literal)
        return
    graph = Graph()
    graph.add((SUBJECT, PROPERTY, literal))
    for name, (fmt, write) in exports(graph).items():
        try:
            text = write()
            data = text.encode("utf-8")
        except (CheckFailure, ValueError) as error:  # UnicodeEncodeError is a ValueError
            assert str(error), name
            continue
        back = to_rdflib(parse_rdf(data, fmt, name).quads)
        assert len(back) == 1, name
        (_, _, again) = next(iter(back))
        assert (str(again), again.language, again.datatype) == (
            str(literal),
            literal.language.lower() if literal.language else None,
            None if literal.datatype == XSD.string else literal.datatype,
        ) or (fmt == "JSON_LD" and again.eq(literal)), name


def test_case_13_named_literals_each_end_escaped_or_refused() -> None:
    """Case 13 by name: NUL, CR/LF, a lone surrogate, 10 MB, a 5 000-digit integer, year 99999."""
    for literal in (
        Literal("nul\x00here"),
        Literal("line\r\nbreak"),
        Literal("lone \ud800 surrogate"),
        Literal("x" * 10_000_000),
        Literal("9" * 5000, datatype=XSD.integer),
        Literal("abc", datatype=XSD.integer),
        Literal("99999-01-01T00:00:00", datatype=XSD.dateTime),
    ):
        graph = Graph()
        graph.add((SUBJECT, RDFS.label, literal))
        for name, (fmt, write) in exports(graph).items():
            try:
                data = write().encode("utf-8")
            except (CheckFailure, ValueError):
                assert "\ud800" in literal or fmt == "RDF_XML", name
                continue
            try:
                quads = parse_rdf(data, fmt, name).quads
            except InputError as error:  # Oxigraph's JSON-LD reader buffers 16 MiB at most
                assert fmt == "JSON_LD" and "too large" in str(error), name
                continue
            (_, _, again) = next(iter(to_rdflib(quads)))
            assert str(again) == str(literal), name


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
def test_nquads_keeps_a_literal_with_a_unicode_line_separator_whole(separator: str) -> None:
    """Regression (found by the fuzzer): N-Quads cut a literal at U+0085, U+2028 or U+2029."""
    graph = Graph()
    graph.add((SUBJECT, PROPERTY, Literal(f"one{separator}two")))
    text = export.nquads({URIRef("https://w3id.org/nato-iraq-kg/graph/fuzz"): graph})
    (quad,) = parse_rdf(text.encode(), "N_QUADS", "nquads").quads
    assert quad.object.value == f"one{separator}two"


def test_case_13_a_bad_language_tag_is_refused_when_made() -> None:
    """Case 13: ``en_US`` is not a BCP 47 tag; rdflib refuses the literal outright."""
    with pytest.raises(ValueError):
        Literal("color", lang="en_US")


def test_case_13_a_bom_is_read_and_bad_utf8_refused(tmp_path: Any) -> None:
    """Case 13: a UTF-8 byte-order mark is tolerated; bytes that are not UTF-8 are refused."""
    triple = b'<http://example.org/a> <http://example.org/p> "x" .\n'
    assert len(parse_rdf(b"\xef\xbb\xbf" + triple, "N_TRIPLES", "bom.nt").quads) == 1
    with pytest.raises(InputError):
        parse_rdf(triple.replace(b'"x"', b'"\xff\xfe"'), "N_TRIPLES", "latin.nt")


# --- random queries into the endpoint ---------------------------------------------------------


@cache
def client() -> TestClient:
    """One in-process endpoint over the built dataset for every example."""
    return TestClient(create_app(store=load_graph(), query_timeout_s=2, max_rows=100))


@cache
def question_texts() -> tuple[str, ...]:
    """The competency questions' texts, as seeds to mutate."""
    return tuple(path.read_text(encoding="utf-8") for path in competency_questions())


@st.composite
def query_strings(draw: Any) -> str:
    """Return random text, or a competency question with a random cut, insertion or swap."""
    if draw(st.booleans()):
        return draw(st.text(max_size=200))
    text = draw(st.sampled_from(question_texts()))
    at = draw(st.integers(0, len(text)))
    cut = draw(st.integers(0, 20))
    return text[:at] + draw(st.text(max_size=5)) + text[at + cut :]


@FUZZ
@given(query_strings())
def test_random_queries_get_an_answer_or_a_clear_refusal(query: str) -> None:
    """Case 17: random or mangled queries: 200, or 4xx/503 with a message; never a 500."""
    assert len(question_texts()) == 50
    response = client().post("/sparql", data={"query": query})
    assert response.status_code in (200, 400, 403, 406, 413, 503), response.text
    if response.status_code != 200:
        assert response.text.strip()
    elif "json" in response.headers["content-type"]:
        assert isinstance(json.loads(response.text), dict)
