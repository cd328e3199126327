"""Tests of the built graph against NATO's page "Relations with Iraq" (revision 03 Feb. 2017).

Every expected value below was written by hand from reading the source text
(``data/source/nato-relations-with-iraq-2017-02-03.txt``), the curated IRIs
(``data/curation/...yaml``) and the checked reference list (``data/reference/wikidata-links.tsv``);
none is computed by the code under test. The build runs once for the module.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS, XSD

from nato_iraq_kg.build.pipeline import BuildResult

ROOT = Path(__file__).resolve().parents[1]
SOURCE_TEXT = ROOT / "data/source/nato-relations-with-iraq-2017-02-03.txt"
ONTOLOGY_FILE = ROOT / "ontology/nato-iraq.ttl"

BASE = "https://w3id.org/nato-iraq-kg/"
ID = BASE + "id/"
NIK = BASE + "ontology#"
SLUG = "nato-relations-with-iraq-2017-02-03"
EVIDENCE_GRAPH = URIRef(BASE + "graph/evidence")
SOURCE_GRAPH = URIRef(BASE + "graph/source/" + SLUG)
SOURCE_IRI = URIRef(ID + "source/" + SLUG)

SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
OA = "http://www.w3.org/ns/oa#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
WD = "http://www.wikidata.org/entity/"
DBR = "http://dbpedia.org/resource/"

PREFIXES = f"""
PREFIX nik: <{NIK}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <{SCHEMA}>
PREFIX org: <{ORG}>
PREFIX time: <{TIME}>
PREFIX oa: <{OA}>
PREFIX nif: <{NIF}>
PREFIX sem: <{SEM}>
PREFIX actor: <{ID}actor/>
PREFIX office: <{ID}office/>
PREFIX programme: <{ID}programme/>
PREFIX event: <{ID}event/>
PREFIX place: <{ID}place/>
PREFIX document: <{ID}document/>
PREFIX quantity: <{ID}quantity/>
PREFIX area: <{ID}area/>
PREFIX date: <{ID}date/>
"""


def _curie(node: object) -> str:
    """Return ``kind:slug`` for an entity IRI (the inverse of :func:`iri`)."""
    kind, slug = str(node).removeprefix(ID).split("/", 1)
    return f"{kind}:{slug}"


def nik(term: str) -> URIRef:
    """Return a term of the project ontology."""
    return URIRef(NIK + term)


def iri(curie: str) -> URIRef:
    """Expand ``kind:slug`` (``actor:nato``) to an entity IRI."""
    kind, slug = curie.split(":", 1)
    return URIRef(f"{ID}{kind}/{slug}")


def date(key: str) -> URIRef:
    """Return the IRI of a date value from its key."""
    return URIRef(f"{ID}date/{key}")


def curies(nodes) -> set[str]:
    """Turn entity IRIs back into ``kind:slug`` for readable assertion messages."""
    result = set()
    for node in nodes:
        kind, slug = str(node).removeprefix(ID).split("/", 1)
        result.add(f"{kind}:{slug}")
    return result


# --------------------------------------------------------------------------------------------
# Fixtures: one build per module.
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def facts(build: BuildResult) -> Graph:
    """All facts (what ``nato-iraq.ttl`` holds)."""
    return build.facts()


@pytest.fixture(scope="module")
def typed(facts: Graph) -> Graph:
    """The facts together with the ontology, so that SPARQL can follow rdfs:subClassOf."""
    graph = Graph()
    graph += facts
    graph.parse(ONTOLOGY_FILE, format="turtle")
    return graph


@pytest.fixture(scope="module")
def provenance(build: BuildResult) -> Graph:
    """The evidence graph and the source graph (document parts and sentences) merged."""
    graph = Graph()
    graph += build.graphs[EVIDENCE_GRAPH]
    graph += build.graphs[SOURCE_GRAPH]
    return graph


@pytest.fixture(scope="module")
def text() -> str:
    """The exact source text, read straight from disk."""
    return SOURCE_TEXT.read_text(encoding="utf-8")


def objects(graph: Graph, subject: str, predicate: URIRef) -> set:
    """Return the objects of ``subject`` (a CURIE) for ``predicate``."""
    return set(graph.objects(iri(subject), predicate))


# --------------------------------------------------------------------------------------------
# Milestones: written by hand from the "Milestones in relations" section.
# --------------------------------------------------------------------------------------------

YEAR, MONTH, DAY = "YearDate", "MonthDate", "DayDate"

#: (date words opening the paragraph, date key, precision class, XSD property, lexical, datatype,
#:  first day, last day, events the paragraph is about)
MILESTONES = [
    ("2004", "2004", YEAR, "inXSDgYear", "2004", XSD.gYear,
     "2004-01-01", "2004-12-31", ["event:2004-ntm-i-establishment"]),
    ("2011", "2011", YEAR, "inXSDgYear", "2011", XSD.gYear,
     "2011-01-01", "2011-12-31", ["event:2011-ntm-i-closure"]),
    ("June 2012", "2012-06", MONTH, "inXSDgYearMonth", "2012-06", XSD.gYearMonth,
     "2012-06-01", "2012-06-30", ["event:2012-06-transition-cell-opening"]),
    ("24 September 2012", "2012-09-24", DAY, "inXSDDate", "2012-09-24", XSD.date,
     "2012-09-24", "2012-09-24", ["event:2012-09-24-ipcp-signing"]),
    ("31 July 2015", "2015-07-31", DAY, "inXSDDate", "2015-07-31", XSD.date,
     "2015-07-31", "2015-07-31", ["event:2015-07-31-dcb-package-agreement"]),
    ("1 March 2016", "2016-03-01", DAY, "inXSDDate", "2016-03-01", XSD.date,
     "2016-03-01", "2016-03-01", ["event:2016-03-01-stoltenberg-visit-to-iraq"]),
    ("April 2016", "2016-04", MONTH, "inXSDgYearMonth", "2016-04", XSD.gYearMonth,
     "2016-04-01", "2016-04-30", ["event:2016-04-training-launch-in-jordan"]),
    ("19 May 2016", "2016-05-19", DAY, "inXSDDate", "2016-05-19", XSD.date,
     "2016-05-19", "2016-05-19", ["event:2016-05-19-foreign-ministers-agreement"]),
    ("9 July 2016", "2016-07-09", DAY, "inXSDDate", "2016-07-09", XSD.date,
     "2016-07-09", "2016-07-09",
     ["event:2016-07-09-warsaw-summit-reaffirmation",
      "event:2016-07-09-in-country-training-agreement"]),
    ("18 October 2016", "2016-10-18", DAY, "inXSDDate", "2016-10-18", XSD.date,
     "2016-10-18", "2016-10-18", ["event:2016-10-18-al-jaafari-visit-to-nato-hq"]),
    ("January 2017", "2017-01", MONTH, "inXSDgYearMonth", "2017-01", XSD.gYearMonth,
     "2017-01-01", "2017-01-31", ["event:2017-01-core-team-deployment"]),
]  # fmt: skip

PARTNERSHIP = "programme:nato-iraq-partnership"


def _date_value_checks(facts: Graph, key: str, cls: str, prop: str, lexical: str, dtype) -> None:
    node = date(key)
    assert (node, RDF.type, nik(cls)) in facts, f"{key} is not a nik:{cls}"
    others = {YEAR, MONTH, DAY, "VagueDate"} - {cls}
    assert not any((node, RDF.type, nik(o)) in facts for o in others), f"{key}: two precisions"
    values = set(facts.objects(node, URIRef(TIME + prop)))
    assert values == {Literal(lexical, datatype=dtype)}, f"{key}: time:{prop} is {values}"


@pytest.mark.parametrize(
    ("words", "key", "cls", "prop", "lexical", "dtype", "first", "last", "events"),
    MILESTONES,
    ids=[m[0] for m in MILESTONES],
)
def test_milestone_event_date_and_precision(
    facts, typed, words, key, cls, prop, lexical, dtype, first, last, events
):
    """Each milestone's events are Events, dated at the paragraph's precision, and milestones."""
    _date_value_checks(facts, key, cls, prop, lexical, dtype)
    node = date(key)
    assert set(facts.objects(node, nik("earliestDate"))) == {Literal(first, datatype=XSD.date)}
    assert set(facts.objects(node, nik("latestDate"))) == {Literal(last, datatype=XSD.date)}
    for event in events:
        e = iri(event)
        assert (e, nik("date"), node) in facts, f"{event} is not dated {words!r}"
        assert (iri(PARTNERSHIP), nik("milestone"), e) in facts, f"{event} is not a milestone"
        assert typed.query(
            PREFIXES + "ASK { ?e rdf:type/rdfs:subClassOf* nik:Event }", initBindings={"e": e}
        ).askAnswer, f"{event} is not a nik:Event"


#: The words of each milestone paragraph that name its event, where the date's quote ends.
MILESTONE_EVENT_WORDS = {
    "event:2004-ntm-i-establishment": "The NATO Training Mission-Iraq (NTM-I) is established",
    "event:2011-ntm-i-closure": "The NTM-I is discontinued",
    "event:2012-06-transition-cell-opening": (
        "A temporary one-year NATO Transition Cell opens in Baghdad"
    ),
    "event:2012-09-24-ipcp-signing": (
        "The NATO-Iraq Individual Partnership and Cooperation Programme is signed"
    ),
    "event:2015-07-31-dcb-package-agreement": "NATO Allies agree on a DCB package",
    "event:2016-03-01-stoltenberg-visit-to-iraq": "official visit to Iraq",
    "event:2016-04-training-launch-in-jordan": (
        "Training for Iraqi security forces under the DCB Initiative is launched in Jordan"
    ),
    "event:2016-05-19-foreign-ministers-agreement": "NATO foreign ministers agree",
    "event:2016-07-09-warsaw-summit-reaffirmation": (
        "Allied leaders reaffirm their commitment to a long-term partnership with Iraq"
    ),
    "event:2016-07-09-in-country-training-agreement": (
        "Allies agree to a request from the Iraqi government"
    ),
    "event:2016-10-18-al-jaafari-visit-to-nato-hq": "Dr Ibrahim Al-Jaafari visits NATO HQ",
    "event:2017-01-core-team-deployment": "A NATO Core Team is deployed to Baghdad",
}


def test_milestone_evidence_quotes_the_date_and_the_event(build, provenance):
    """A milestone's date is quoted from the paragraph's date words to the words naming the event.

    The membership link (nik:milestone) is a separate assertion of the derived tier, on the same
    quote: the page's structure, not a sentence, makes the event a milestone.
    """
    rows = provenance.query(
        PREFIXES
        + """
        SELECT ?g ?exact ?tier WHERE {
          ?ev oa:hasBody ?g ; nik:inPart ?part ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
          ?part a nik:Milestone .
          ?g nik:tier ?tier .
        }
        """
    )
    dated, members = set(), set()
    for row in rows:
        graph = build.graphs[row.g]
        for event, d in graph.subject_objects(nik("date")):
            if row.tier == nik("stated") and str(row.exact).endswith(
                MILESTONE_EVENT_WORDS.get(_curie(event), "\0")
            ):
                dated.add((re.split(r":\s", str(row.exact), maxsplit=1)[0], event, d))
        for event in graph.objects(iri(PARTNERSHIP), nik("milestone")):
            assert row.tier == nik("derived"), f"{event}: milestone membership is not derived"
            members.add(event)
    expected = {
        (words, iri(event), date(key)) for words, key, *_, events in MILESTONES for event in events
    }
    assert len(expected) == 12
    assert dated == expected
    assert members == {iri(event) for *_, events in MILESTONES for event in events}
    # Each of the eleven paragraphs opens with its date words and a colon.
    anchors = provenance.query(
        PREFIXES + "SELECT ?a WHERE { ?p a nik:Milestone ; nif:anchorOf ?a }"
    )
    openings = sorted(str(r.a).split(":", 1)[0] for r in anchors)
    assert openings == sorted(m[0] for m in MILESTONES)


def test_eleven_milestone_paragraphs_and_twelve_milestone_events(build, facts, provenance):
    """The page has 11 dated milestone paragraphs; the 9 July 2016 one covers 2 events (12)."""
    paragraphs = provenance.query(PREFIXES + "SELECT DISTINCT ?p WHERE { ?p a nik:Milestone }")
    assert len(paragraphs) == 11
    rows = provenance.query(
        PREFIXES
        + "SELECT ?part ?g WHERE { ?ev nik:inPart ?part ; oa:hasBody ?g . ?part a nik:Milestone }"
    )
    dated = {row.part for row in rows if (None, nik("date"), None) in build.graphs[row.g]}
    listed = {row.part for row in rows if (None, nik("milestone"), None) in build.graphs[row.g]}
    assert len(dated) == 11
    assert listed == dated
    events = set(facts.objects(iri(PARTNERSHIP), nik("milestone")))
    assert len(events) == 12
    expected = {e for m in MILESTONES for e in m[-1]}
    assert curies(events) == expected


# --------------------------------------------------------------------------------------------
# Dates the text gives at two precisions.
# --------------------------------------------------------------------------------------------

#: (entity, date property, coarse key + class, fine key + class), from the text:
#: "from 2004 to 2011" / "closure ... in December 2011"; "Summit in Wales in 2014" /
#: "in September 2014"; "In September 2012" / "24 September 2012"; "in July 2015" /
#: "31 July 2015"; "in July 2016" / "9 July 2016".
DOUBLE_PRECISION = [
    ("event:2011-ntm-i-closure", "date", ("2011", YEAR), ("2011-12", MONTH)),
    ("programme:ntm-i", "endDate", ("2011", YEAR), ("2011-12", MONTH)),
    ("event:2014-wales-summit", "date", ("2014", YEAR), ("2014-09", MONTH)),
    ("event:2012-09-24-ipcp-signing", "date", ("2012-09", MONTH), ("2012-09-24", DAY)),
    ("event:2015-07-31-dcb-package-agreement", "date", ("2015-07", MONTH), ("2015-07-31", DAY)),
    (
        "event:2016-07-09-in-country-training-agreement",
        "date",
        ("2016-07", MONTH),
        ("2016-07-09", DAY),
    ),
]

LEXICAL = {
    YEAR: ("inXSDgYear", XSD.gYear),
    MONTH: ("inXSDgYearMonth", XSD.gYearMonth),
    DAY: ("inXSDDate", XSD.date),
}


@pytest.mark.parametrize(
    ("entity", "prop", "coarse", "fine"), DOUBLE_PRECISION, ids=[d[0] for d in DOUBLE_PRECISION]
)
def test_double_precision_dates_both_kept_and_refined(facts, entity, prop, coarse, fine):
    """A date the text gives twice keeps both precisions; the finer nik:refines the coarser."""
    assert objects(facts, entity, nik(prop)) == {date(coarse[0]), date(fine[0])}
    for key, cls in (coarse, fine):
        xsd_prop, dtype = LEXICAL[cls]
        _date_value_checks(facts, key, cls, xsd_prop, key, dtype)
    assert (date(fine[0]), nik("refines"), date(coarse[0])) in facts
    assert (date(coarse[0]), nik("refines"), date(fine[0])) not in facts


def test_refines_only_goes_from_finer_to_a_containing_coarser_date(facts):
    """Every nik:refines pair relates a strictly finer date to one that contains it."""
    rank = {nik("YearDate"): 0, nik("VagueDate"): 1, nik("MonthDate"): 2, nik("DayDate"): 3}
    pairs = list(facts.subject_objects(nik("refines")))
    assert pairs
    for finer, coarser in pairs:
        (f_cls,) = (c for c in facts.objects(finer, RDF.type) if c in rank)
        (c_cls,) = (c for c in facts.objects(coarser, RDF.type) if c in rank)
        assert rank[f_cls] > rank[c_cls], (finer, coarser)
        f_first = facts.value(finer, nik("earliestDate")).toPython()
        f_last = facts.value(finer, nik("latestDate")).toPython()
        c_first = facts.value(coarser, nik("earliestDate")).toPython()
        c_last = facts.value(coarser, nik("latestDate")).toPython()
        assert c_first <= f_first <= f_last <= c_last, (finer, coarser)


#: Every nik:refines pair, by hand: the five dates the text gives twice, and the Jordan training
#: count, dated "In 2016" and "between April and December 2016" (April and December 2016 both
#: lie in 2016).
REFINES = {
    ("2011-12", "2011"),
    ("2014-09", "2014"),
    ("2012-09-24", "2012-09"),
    ("2015-07-31", "2015-07"),
    ("2016-07-09", "2016-07"),
    ("2016-04", "2016"),
    ("2016-12", "2016"),
}


def test_refines_pairs_exactly(facts):
    """nik:refines holds exactly between the dates the text gives at two precisions."""
    pairs = {
        (str(a).removeprefix(ID + "date/"), str(b).removeprefix(ID + "date/"))
        for a, b in facts.subject_objects(nik("refines"))
    }
    assert pairs == REFINES


def test_vague_date_early_2016(facts):
    """'early 2016' stays a vague date with its words and bounds 2016-01-01..2016-04-30."""
    node = date("early-2016")
    assert (node, RDF.type, nik("VagueDate")) in facts
    for cls in (YEAR, MONTH, DAY):
        assert (node, RDF.type, nik(cls)) not in facts
    assert set(facts.objects(node, nik("datePhrase"))) == {Literal("early 2016", lang="en")}
    assert set(facts.objects(node, nik("earliestDate"))) == {
        Literal("2016-01-01", datatype=XSD.date)
    }
    assert set(facts.objects(node, nik("latestDate"))) == {Literal("2016-04-30", datatype=XSD.date)}
    for prop in ("inXSDgYear", "inXSDgYearMonth", "inXSDDate"):
        assert (node, URIRef(TIME + prop), None) not in facts
    # "Mobile NATO security sector reform teams have been travelling to Iraq since early 2016"
    assert (iri("programme:mobile-ssr-teams"), nik("startDate"), node) in facts


# --------------------------------------------------------------------------------------------
# Numbers.
# --------------------------------------------------------------------------------------------


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def test_quantity_15000_ntm_i_officers_trained(facts):
    """'during which 15,000 Iraqi officers were trained' (NTM-I, 2004-2011)."""
    q = iri("quantity:ntm-i-officers-trained")
    assert set(facts.objects(q, URIRef(SCHEMA + "value"))) == {_int(15000)}
    assert objects(facts, "quantity:ntm-i-officers-trained", nik("countedGroup")) == {
        iri("actor:iraqi-officers")
    }
    assert (iri("programme:ntm-i"), nik("quantity"), q) in facts
    assert (q, nik("isApproximate"), Literal(True)) not in facts


def test_quantity_350_trained_in_jordan_2016(facts):
    """'In 2016, 350 Iraqi officers have been trained ... in Jordan' (April to December 2016)."""
    q = iri("quantity:jordan-2016-officers-trained")
    assert set(facts.objects(q, URIRef(SCHEMA + "value"))) == {_int(350)}
    assert objects(facts, "quantity:jordan-2016-officers-trained", nik("countedGroup")) == {
        iri("actor:iraqi-officers")
    }
    assert (iri("programme:training-in-jordan"), nik("quantity"), q) in facts
    assert (q, nik("date"), date("2016")) in facts
    assert (q, nik("startDate"), date("2016-04")) in facts
    assert (q, nik("endDate"), date("2016-12")) in facts
    # The 'train-the-trainers' course of key point 6 was also "provided to 350 Iraqi officers".
    t = iri("quantity:train-the-trainers-participants")
    assert set(facts.objects(t, URIRef(SCHEMA + "value"))) == {_int(350)}
    assert (iri("programme:train-the-trainers-course"), nik("quantity"), t) in facts


def test_quantity_some_500_a_year_is_approximate_and_per_year(facts):
    """'some 500 Iraqi officers and officials in out-of-country courses each year'."""
    q = iri("quantity:out-of-country-course-participants-per-year")
    assert set(facts.objects(q, URIRef(SCHEMA + "value"))) == {_int(500)}
    assert set(facts.objects(q, nik("isApproximate"))) == {Literal(True)}
    assert set(facts.objects(q, nik("perPeriod"))) == {URIRef(TIME + "unitYear")}
    assert set(facts.objects(q, nik("countedGroup"))) == {
        iri("actor:iraqi-officers"),
        iri("actor:iraqi-officials"),
    }
    assert (iri("programme:out-of-country-courses"), nik("quantity"), q) in facts


def test_quantity_one_year_transition_cell(facts):
    """'A temporary one-year NATO Transition Cell': 1, in years (UN/CEFACT code ANN)."""
    q = iri("quantity:transition-cell-duration")
    assert set(facts.objects(q, URIRef(SCHEMA + "value"))) == {_int(1)}
    assert set(facts.objects(q, URIRef(SCHEMA + "unitCode"))) == {Literal("ANN")}
    assert (iri("programme:nato-transition-cell"), nik("quantity"), q) in facts
    assert (iri("programme:nato-transition-cell"), nik("isTemporary"), Literal(True)) in facts


def test_every_quantity_value_is_an_xsd_integer(facts):
    """All five stated numbers are typed xsd:integer, with nothing else stated as a value."""
    rows = facts.query(PREFIXES + "SELECT ?q ?v WHERE { ?q a nik:Quantity ; schema:value ?v }")
    values = {(str(r.q).removeprefix(ID + "quantity/"), r.v) for r in rows}
    assert values == {
        ("ntm-i-officers-trained", _int(15000)),
        ("jordan-2016-officers-trained", _int(350)),
        ("train-the-trainers-participants", _int(350)),
        ("out-of-country-course-participants-per-year", _int(500)),
        ("transition-cell-duration", _int(1)),
    }


# --------------------------------------------------------------------------------------------
# Who requested what, who agreed.
# --------------------------------------------------------------------------------------------


def test_dcb_package_requested_by_government_and_al_abadi_agreed_by_allies(facts):
    """The DCB package: requested by the Iraqi government / PM Al-Abadi, agreed by NATO Allies."""
    package = "programme:dcb-package-for-iraq"
    assert curies(objects(facts, package, nik("atRequestOf"))) == {
        "actor:iraqi-government",
        "actor:al-abadi",
    }
    request = "event:dcb-package-request"
    assert curies(objects(facts, request, nik("agent"))) == {
        "actor:iraqi-government",
        "actor:al-abadi",
    }
    assert iri(package) in objects(facts, request, nik("concerns"))
    agreement = "event:2015-07-31-dcb-package-agreement"
    assert iri("actor:nato-allies") in objects(facts, agreement, nik("agent"))
    assert objects(facts, agreement, nik("concerns")) == {iri(package)}
    assert objects(facts, agreement, nik("followsRequest")) == {iri(request)}
    assert (iri(agreement), RDF.type, nik("Agreement")) in facts
    assert (iri(request), RDF.type, nik("Request")) in facts


def test_ntm_i_at_request_of_interim_government_under_unscr_1546(facts):
    """NTM-I: at the request of the Iraqi interim government, in accordance with UNSCR 1546."""
    assert objects(facts, "programme:ntm-i", nik("atRequestOf")) == {
        iri("actor:iraqi-interim-government")
    }
    assert objects(facts, "programme:ntm-i", nik("inAccordanceWith")) == {
        iri("document:unscr-1546")
    }
    assert objects(facts, "document:unscr-1546", nik("issuedBy")) == {
        iri("actor:united-nations-security-council")
    }
    assert (iri("document:unscr-1546"), RDF.type, nik("Resolution")) in facts
    assert objects(facts, "event:ntm-i-request", nik("agent")) == {
        iri("actor:iraqi-interim-government")
    }
    assert objects(facts, "event:2004-ntm-i-establishment", nik("followsRequest")) == {
        iri("event:ntm-i-request")
    }


def test_in_country_training_requested_by_government_agreed_at_warsaw(facts):
    """In-country training: requested by the Iraqi government, agreed at the Warsaw summit."""
    training = "programme:in-country-training"
    assert objects(facts, training, nik("atRequestOf")) == {iri("actor:iraqi-government")}
    request = "event:in-country-training-request"
    assert objects(facts, request, nik("agent")) == {iri("actor:iraqi-government")}
    assert objects(facts, request, nik("concerns")) == {iri(training)}
    agreement = "event:2016-07-09-in-country-training-agreement"
    assert objects(facts, agreement, nik("followsRequest")) == {iri(request)}
    assert objects(facts, agreement, nik("concerns")) == {iri(training)}
    assert objects(facts, agreement, URIRef(SEM + "subEventOf")) == {
        iri("event:2016-07-warsaw-summit")
    }
    assert iri("actor:nato-allies") in objects(facts, agreement, nik("agent"))


# --------------------------------------------------------------------------------------------
# Offices.
# --------------------------------------------------------------------------------------------

#: person, office, organisation the office is a post in (from the text's wording).
OFFICES = [
    ("actor:jens-stoltenberg", "office:secretary-general-of-nato", "actor:nato"),
    ("actor:fouad-massoum", "office:president-of-iraq", "actor:iraq"),
    ("actor:al-abadi", "office:prime-minister-of-iraq", "actor:iraq"),
    ("actor:ibrahim-al-jaafari", "office:foreign-minister-of-iraq", "actor:iraq"),
]


@pytest.mark.parametrize(("person", "office", "org"), OFFICES, ids=[o[0] for o in OFFICES])
def test_office_holders(facts, person, office, org):
    """Each named office holder holds exactly the office the text gives them."""
    assert objects(facts, person, URIRef(ORG + "holds")) == {iri(office)}
    assert (iri(person), RDF.type, nik("Person")) in facts
    assert (iri(office), RDF.type, nik("Office")) in facts


@pytest.mark.parametrize(("person", "office", "org"), OFFICES, ids=[o[0] for o in OFFICES])
def test_office_is_a_post_in_its_organisation(facts, person, office, org):
    """Each office is a post in the organisation the text ties it to."""
    assert objects(facts, office, URIRef(ORG + "postIn")) == {iri(org)}


# --------------------------------------------------------------------------------------------
# Places.
# --------------------------------------------------------------------------------------------


def test_summits_in_wales_and_warsaw(facts):
    """The 2014 summit was in Wales, the 2016 summit in Warsaw."""
    assert objects(facts, "event:2014-wales-summit", nik("place")) == {iri("place:wales")}
    assert objects(facts, "event:2016-07-warsaw-summit", nik("place")) == {iri("place:warsaw")}
    assert objects(facts, "event:2016-07-warsaw-summit", nik("date")) == {date("2016-07")}
    for summit in ("event:2014-wales-summit", "event:2016-07-warsaw-summit"):
        assert (iri(summit), RDF.type, nik("Summit")) in facts


def test_kasotc_in_jordan(facts):
    """The King Abdullah Special Operations Training Center is in Jordan; training was there."""
    kasotc = "place:king-abdullah-special-operations-training-center"
    assert objects(facts, kasotc, nik("locatedIn")) == {iri("actor:jordan")}
    assert iri(kasotc) in objects(facts, "programme:training-in-jordan", nik("place"))
    assert (iri(kasotc), RDF.type, nik("Facility")) in facts


def test_core_team_in_baghdad(facts):
    """'A NATO Core Team has been deployed to Baghdad'."""
    assert objects(facts, "programme:nato-core-team", nik("place")) == {iri("place:baghdad")}
    assert objects(facts, "event:2017-01-core-team-deployment", nik("destination")) == {
        iri("place:baghdad")
    }


def test_talks_at_nato_hq(facts):
    """Al-Jaafari 'visits NATO HQ for talks with ... Jens Stoltenberg'."""
    talks = "event:2016-10-18-al-jaafari-stoltenberg-talks"
    assert objects(facts, talks, nik("place")) == {iri("place:nato-hq")}
    assert objects(facts, talks, nik("counterpart")) == {iri("actor:jens-stoltenberg")}
    assert objects(facts, talks, nik("agent")) == {iri("actor:ibrahim-al-jaafari")}
    visit = "event:2016-10-18-al-jaafari-visit-to-nato-hq"
    assert objects(facts, visit, nik("destination")) == {iri("place:nato-hq")}
    assert objects(facts, talks, nik("date")) == {date("2016-10-18")}


# --------------------------------------------------------------------------------------------
# The two area lists of the DCB package.
# --------------------------------------------------------------------------------------------

#: Key point 4: "countering improvised explosive devices, explosive ordnance disposal and
#: demining, security sector reform, military medicine and civil military planning".
DCB_KEY_POINT_WORDS = (
    "countering improvised explosive devices, explosive ordnance disposal and demining, "
    "security sector reform, military medicine and civil military planning"
)
DCB_KEY_POINT_AREAS = {
    "area:countering-improvised-explosive-devices",
    "area:explosive-ordnance-disposal",
    "area:demining",
    "area:security-sector-reform",
    "area:military-medicine",
    "area:civil-military-planning",
}
#: Practical cooperation: "It includes assistance measures in the areas of ...".
DCB_BACKGROUND_WORDS = (
    "countering improvised explosive devices (C-IED), explosive ordnance disposal and demining; "
    "military medicine and medical assistance; advice on security sector reform; civil-military "
    "planning support to operations; civil emergency planning and preparedness; cyber defence; "
    "and military training"
)
DCB_BACKGROUND_AREAS = {
    "area:countering-improvised-explosive-devices",
    "area:explosive-ordnance-disposal",
    "area:demining",
    "area:military-medicine",
    "area:medical-assistance",
    "area:advice-on-security-sector-reform",
    "area:civil-military-planning-support-to-operations",
    "area:civil-emergency-planning-and-preparedness",
    "area:cyber-defence",
    "area:military-training",
}
#: Every area the document names for the DCB package, in either wording (12).
DCB_ALL_AREAS = {
    "area:countering-improvised-explosive-devices",
    "area:explosive-ordnance-disposal",
    "area:demining",
    "area:security-sector-reform",
    "area:military-medicine",
    "area:civil-military-planning",
    "area:medical-assistance",
    "area:advice-on-security-sector-reform",
    "area:civil-military-planning-support-to-operations",
    "area:civil-emergency-planning-and-preparedness",
    "area:cyber-defence",
    "area:military-training",
}


def test_dcb_package_has_both_worded_area_lists(facts):
    """Both wordings of the DCB package's areas are kept as skos:Collections with their members."""
    rows = facts.query(
        PREFIXES
        + """
        SELECT ?list ?label ?member WHERE {
          programme:dcb-package-for-iraq nik:conceptList ?list .
          ?list a skos:Collection ; rdfs:label ?label ; skos:member ?member .
        }
        """
    )
    lists: dict[str, set[URIRef]] = {}
    for r in rows:
        lists.setdefault(str(r.label), set()).add(r.member)
    assert set(lists) == {DCB_KEY_POINT_WORDS, DCB_BACKGROUND_WORDS}
    assert curies(lists[DCB_KEY_POINT_WORDS]) == DCB_KEY_POINT_AREAS
    assert curies(lists[DCB_BACKGROUND_WORDS]) == DCB_BACKGROUND_AREAS
    assert DCB_KEY_POINT_AREAS | DCB_BACKGROUND_AREAS == DCB_ALL_AREAS


def test_dcb_package_covers_exactly_the_named_areas(facts):
    """The package's nik:coversArea is exactly the 12 areas the two lists name."""
    covered = objects(facts, "programme:dcb-package-for-iraq", nik("coversArea"))
    assert curies(covered) == DCB_ALL_AREAS
    for area in covered:
        assert (area, RDF.type, nik("CooperationArea")) in facts


def test_c_ied_abbreviation_names_countering_ieds(facts):
    """'(C-IED)' names only the area 'countering improvised explosive devices'."""
    assert curies(facts.subjects(SKOS.altLabel, Literal("C-IED", lang="en"))) == {
        "area:countering-improvised-explosive-devices"
    }


def test_ntm_i_abbreviation_names_only_the_mission(facts):
    """'(NTM-I)' names only the training mission; Iraq is only 'Iraq' / 'Republic of Iraq'."""
    assert curies(facts.subjects(SKOS.altLabel, Literal("NTM-I", lang="en"))) == {"programme:ntm-i"}
    assert set(facts.objects(iri("actor:iraq"), SKOS.altLabel)) == {
        Literal("Republic of Iraq", lang="en")
    }


# --------------------------------------------------------------------------------------------
# Identity links.
# --------------------------------------------------------------------------------------------

#: From data/reference/wikidata-links.tsv, the rows for things the document names.
WIKIDATA = {
    "actor:nato": "Q7184",
    "actor:iraq": "Q796",
    "actor:jordan": "Q810",
    "place:baghdad": "Q1530",
    "place:mosul": "Q83317",
    "actor:jens-stoltenberg": "Q57665",
    "actor:fouad-massoum": "Q17410819",
    "actor:al-abadi": "Q5639013",
    "actor:ibrahim-al-jaafari": "Q316495",
    "actor:isil": "Q2429253",
    "actor:united-nations-security-council": "Q37470",
    "actor:iraqi-interim-government": "Q187332",
    "place:nato-hq": "Q12800833",
    "office:secretary-general-of-nato": "Q167662",
    "office:president-of-iraq": "Q889817",
    "office:prime-minister-of-iraq": "Q1476165",
    "office:foreign-minister-of-iraq": "Q6895071",
    "place:wales": "Q25",
    "place:warsaw": "Q270",
}
DBPEDIA = {
    "actor:nato": "NATO",
    "actor:fouad-massoum": "Fuad_Masum",
    "actor:al-abadi": "Haider_al-Abadi",
    "actor:ibrahim-al-jaafari": "Ibrahim_al-Jaafari",
    "actor:isil": "Islamic_State",
    "office:president-of-iraq": "President_of_Iraq",
    "office:prime-minister-of-iraq": "Prime_Minister_of_Iraq",
    "office:foreign-minister-of-iraq": "Minister_of_Foreign_Affairs_(Iraq)",
}
#: On the reference list but not named in the document.
NOT_NAMED = {"Q944947": "North Atlantic Council", "Q239": "City of Brussels"}
#: Named in the document, but no checked identifier exists.
UNLINKED = [
    "actor:global-coalition-to-counter-isil",
    "document:unscr-1546",
    "programme:ntm-i",
    "event:2014-wales-summit",
    "event:2016-07-warsaw-summit",
    "place:king-abdullah-special-operations-training-center",
    "programme:dcb-initiative",
    "programme:ipcp",
]


def test_wikidata_links_exactly_as_checked(facts):
    """owl:sameAs to Wikidata is exactly the checked QID of each entity the document names."""
    found = {(s, o) for s, o in facts.subject_objects(OWL.sameAs) if str(o).startswith(WD)}
    expected = {(iri(e), URIRef(WD + q)) for e, q in WIKIDATA.items()}
    assert found == expected


def test_dbpedia_links_exactly_as_checked(facts):
    """owl:sameAs to DBpedia is exactly the checked resource where the reference gives one."""
    found = {(s, o) for s, o in facts.subject_objects(OWL.sameAs) if str(o).startswith(DBR)}
    expected = {(iri(e), URIRef(DBR + r)) for e, r in DBPEDIA.items()}
    assert found == expected
    assert all(str(o).startswith((WD, DBR)) for o in facts.objects(None, OWL.sameAs))


@pytest.mark.parametrize("qid", sorted(NOT_NAMED), ids=sorted(NOT_NAMED.values()))
def test_unnamed_reference_entities_are_absent(facts, qid):
    """Reference entities the document does not name (NAC, Brussels) are nowhere in the graph."""
    node = URIRef(WD + qid)
    assert (None, None, node) not in facts
    assert (node, None, None) not in facts


@pytest.mark.parametrize("entity", UNLINKED)
def test_no_identity_link_without_a_checked_id(facts, entity):
    """Entities with no checked identifier carry no owl:sameAs."""
    assert objects(facts, entity, OWL.sameAs) == set()


def test_partners_across_the_globe_is_a_named_group_not_an_organisation(facts):
    """Iraq is "one of a range of countries ... often referred to as 'partners across the globe'".

    The page names a loose group, not an organisation Iraq joined: so ``foaf:member`` (a group's
    member), never ``org:memberOf``, whose range would make the group an ``org:Organization``.
    """
    group = iri("actor:partners-across-the-globe")
    member = URIRef("http://xmlns.com/foaf/0.1/member")
    assert set(facts.objects(group, member)) == {iri("actor:iraq")}
    org = "http://www.w3.org/ns/org#"
    assert (None, URIRef(org + "memberOf"), group) not in facts
    assert (group, URIRef(org + "hasMember"), None) not in facts


def test_no_cooperation_area_is_linked(facts):
    """No cooperation area carries an owl:sameAs."""
    rows = facts.query(PREFIXES + "SELECT ?a WHERE { ?a a nik:CooperationArea ; owl:sameAs ?x }")
    assert list(rows) == []


# --------------------------------------------------------------------------------------------
# Counts per top class.
# --------------------------------------------------------------------------------------------

#: Counted by hand from the `entities:` section of the curated YAML (125 declarations):
#: 31 actor:, 4 office:, 13 programme:, 29 event:, 7 place:, 2 document:, 5 quantity:,
#: 4 principle:, 28 area:, 2 theme: (of the talks of 18 October 2016). nik:State is a subclass
#: of both nik:Actor and nik:Place, so Iraq and
#: Jordan count as Places too (7 + 2 = 9). nik:SourcePage and nik:SourceRevision are
#: nik:Documents: the source graph adds the page and its revision (2 + 2 = 4).
TOP_CLASS_COUNTS = {
    "Actor": 31,
    "Programme": 13,
    "Event": 29,
    "Place": 9,
    "Document": 4,
    "Quantity": 5,
    "CooperationArea": 28,
    "Principle": 4,
    "Theme": 2,
    "Office": 4,
}


@pytest.mark.parametrize(("cls", "expected"), TOP_CLASS_COUNTS.items())
def test_instances_per_top_class(typed, cls, expected):
    """Entities do not silently disappear: instances of each top class, subclasses included."""
    rows = typed.query(
        PREFIXES + "SELECT DISTINCT ?x WHERE { ?x rdf:type/rdfs:subClassOf* ?cls }",
        initBindings={"cls": nik(cls)},
    )
    assert len(rows) == expected


def test_documents_are_the_resolution_the_photo_and_the_source(typed):
    """The four Documents are UNSCR 1546, the photo, the source page and its revision."""
    rows = typed.query(
        PREFIXES + "SELECT DISTINCT ?x WHERE { ?x rdf:type/rdfs:subClassOf* nik:Document }"
    )
    assert {r.x for r in rows} == {
        iri("document:unscr-1546"),
        iri("document:photo-stoltenberg-massoum-2016-03"),
        URIRef(ID + "source/nato-relations-with-iraq"),
        SOURCE_IRI,
    }


# --------------------------------------------------------------------------------------------
# Evidence.
# --------------------------------------------------------------------------------------------


def test_every_assertion_graph_has_one_evidence_with_the_exact_quote(build, text):
    """Each assertion graph has exactly one annotation whose quote is the text at its offsets."""
    evidence = build.graphs[EVIDENCE_GRAPH]
    assertion_graphs = {g for g in build.graphs if str(g).startswith(ID + "assertion/")}
    assert assertion_graphs == set(evidence.subjects(RDF.type, nik("Assertion")))
    assert len(assertion_graphs) == len(build.assertions)
    oa = {name: URIRef(OA + name) for name in ("hasBody", "hasTarget", "hasSource", "hasSelector")}
    for graph in assertion_graphs:
        annotations = list(evidence.subjects(oa["hasBody"], graph))
        assert len(annotations) == 1, f"{graph}: {len(annotations)} annotations"
        (annotation,) = annotations
        assert (annotation, RDF.type, URIRef(OA + "Annotation")) in evidence, graph
        (target,) = evidence.objects(annotation, oa["hasTarget"])
        assert set(evidence.objects(target, oa["hasSource"])) == {SOURCE_IRI}, graph
        selectors = set(evidence.objects(target, oa["hasSelector"]))
        (quote,) = (
            s for s in selectors if (s, RDF.type, URIRef(OA + "TextQuoteSelector")) in evidence
        )
        (position,) = (
            s for s in selectors if (s, RDF.type, URIRef(OA + "TextPositionSelector")) in evidence
        )
        (exact,) = evidence.objects(quote, URIRef(OA + "exact"))
        (start,) = evidence.objects(position, URIRef(OA + "start"))
        (end,) = evidence.objects(position, URIRef(OA + "end"))
        assert str(exact), graph
        assert text[int(start) : int(end)] == str(exact), graph


def test_assertion_graphs_hold_what_the_assertions_say(build):
    """Each assertion's named graph holds exactly its triples, and its quote matches the text."""
    for item in build.assertions:
        graph = build.graphs[item.graph]
        assert set(graph) == set(item.triples), item.key
        assert item.source.text[item.start : item.end] == item.quote


#: Key point 2, copied by hand from the page.
KEY_POINT_2 = (
    "Relations build on cooperation that developed through the NATO Training Mission in Iraq "
    "from 2004 to 2011, during which 15,000 Iraqi officers were trained."
)


def test_15000_fact_is_quoted_from_key_point_2(build, provenance, text):
    """The evidence of '15,000 Iraqi officers were trained' lies inside key point 2."""
    value = URIRef(SCHEMA + "value")
    quantity = iri("quantity:ntm-i-officers-trained")
    (graph,) = (
        g
        for g, triples in build.graphs.items()
        if (quantity, value, None) in triples and str(g).startswith(ID + "assertion/")
    )
    rows = list(
        provenance.query(
            PREFIXES
            + f"""
            SELECT ?exact ?start ?end ?part ?pstart ?pend ?anchor WHERE {{
              ?ev oa:hasBody <{graph}> ; nik:inPart ?part ; oa:hasTarget/oa:hasSelector ?q, ?p .
              ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end .
              ?part nif:beginIndex ?pstart ; nif:endIndex ?pend ; nif:anchorOf ?anchor .
            }}
            """
        )
    )
    assert len(rows) == 1
    (row,) = rows
    assert "15,000 Iraqi officers were trained" in str(row.exact)
    assert str(row.part).endswith("/part/key-point-2")
    assert str(row.anchor) == KEY_POINT_2
    assert int(row.pstart) <= int(row.start) < int(row.end) <= int(row.pend)
    assert text[int(row.pstart) : int(row.pend)] == KEY_POINT_2


def test_facts_from_the_milestones_section(build, provenance):
    """'Which facts come from the milestones section?' includes the 2004 NTM-I establishment."""
    rows = provenance.query(
        PREFIXES
        + """
        SELECT DISTINCT ?g WHERE {
          ?ev a oa:Annotation ; oa:hasBody ?g ; nik:inPart ?part .
          ?part dcterms:isPartOf+ ?section .
          ?section nik:partName "milestones" .
        }
        """
    )
    found = {triple for row in rows for triple in build.graphs[row.g]}
    establishment = iri("event:2004-ntm-i-establishment")
    assert (establishment, nik("date"), date("2004")) in found
    assert (establishment, nik("concerns"), iri("programme:ntm-i")) in found
    assert (iri("programme:ntm-i"), nik("startDate"), date("2004")) in found
    # ... and not facts only stated elsewhere: the key point's "July 2015" is not a milestone.
    agreement = iri("event:2015-07-31-dcb-package-agreement")
    assert (agreement, nik("date"), date("2015-07-31")) in found
    assert (agreement, nik("date"), date("2015-07")) not in found


# --------------------------------------------------------------------------------------------
# Nothing invented.
# --------------------------------------------------------------------------------------------

#: Every date the text gives, as a key (collected by hand, in text order): "03 Feb. 2017",
#: "March 2016" (caption), "2004", "2011", "September 2012", "July 2015", "early 2016",
#: "April 2016", "July 2016", "January 2017", "2014", "In 2016", "February 2016",
#: "December 2011", the eleven milestone dates, "December 2016" ("between April and
#: December 2016") and "September 2014".
DATES_IN_TEXT = {
    "2017-02-03",
    "2016-03",
    "2004",
    "2011",
    "2012-09",
    "2015-07",
    "early-2016",
    "2016-04",
    "2016-07",
    "2017-01",
    "2014",
    "2016",
    "2016-02",
    "2011-12",
    "2012-06",
    "2012-09-24",
    "2015-07-31",
    "2016-03-01",
    "2016-05-19",
    "2016-07-09",
    "2016-10-18",
    "2016-12",
    "2014-09",
}


def test_no_event_has_a_date_the_text_does_not_give(typed):
    """Every date of an event is one the document states."""
    rows = typed.query(
        PREFIXES
        + """
        SELECT DISTINCT ?d WHERE {
          ?e rdf:type/rdfs:subClassOf* nik:Event .
          ?e nik:date|nik:startDate|nik:endDate ?d .
        }
        """
    )
    keys = {str(r.d).removeprefix(ID + "date/") for r in rows}
    assert keys
    assert keys <= DATES_IN_TEXT, keys - DATES_IN_TEXT


def test_no_date_value_the_text_does_not_give(facts):
    """No date value at all (for events, programmes or quantities) is outside the text's dates."""
    rows = facts.query(
        PREFIXES + "SELECT DISTINCT ?d WHERE { ?s nik:date|nik:startDate|nik:endDate ?d }"
    )
    keys = {str(r.d).removeprefix(ID + "date/") for r in rows}
    assert keys <= DATES_IN_TEXT, keys - DATES_IN_TEXT
    for key in keys:
        bounds = [facts.value(date(key), nik(p)).toPython() for p in ("earliestDate", "latestDate")]
        assert all(isinstance(b, datetime.date) for b in bounds), key
        assert bounds[0] <= bounds[1], key


#: Kinds of IRI in our id namespace that are not described by a quoted assertion.
STRUCTURAL_KINDS = ("date/", "list/", "scheme/", "source/")


def test_every_entity_has_evidence(build, facts):
    """Every entity in our namespace appears in the triples of some quoted assertion."""
    in_assertions = {term for item in build.assertions for t in item.triples for term in t}
    typed_with_evidence = {
        s for item in build.assertions for s, p, _ in item.triples if p == RDF.type
    }
    subjects = {
        s
        for s in facts.subjects()
        if isinstance(s, URIRef)
        and str(s).startswith(ID)
        and not str(s).removeprefix(ID).startswith(STRUCTURAL_KINDS)
    }
    assert subjects
    assert subjects - in_assertions == set()
    assert subjects - typed_with_evidence == set()


def test_every_name_occurs_verbatim_in_the_text(facts, text):
    """Every label and alias of an entity, date or list is words of the page, verbatim."""
    names = [SKOS.prefLabel, SKOS.altLabel, URIRef("http://www.w3.org/2000/01/rdf-schema#label")]
    checked = 0
    for prop in names:
        for s, o in facts.subject_objects(prop):
            if not str(s).startswith(ID) or str(s).removeprefix(ID).startswith(
                ("scheme/", "source/")
            ):
                continue
            assert str(o) in text, (s, prop, str(o))
            checked += 1
    assert checked > 123


def test_every_concept_list_item_is_quoted_inside_its_list(build):
    """Each list item is quoted inside a list of the same subject that has it as a member."""
    lists = [
        item
        for item in build.assertions
        if item.method == "concept-list" and any(o == SKOS.Collection for _, _, o in item.triples)
    ]
    # Eight worded lists in the curated file: two for the DCB package, two for the IPCP, the
    # Jordan priority areas, NTM-I's means, NATO's expertise and the partnership's principles.
    assert len(lists) == 8
    members = {
        item: {
            (subject, o)
            for subject, p, collection in item.triples
            if p == nik("conceptList")
            for c, p2, o in item.triples
            if c == collection and p2 == SKOS.member
        }
        for item in lists
    }
    qualifiers = [i for i in build.assertions if i.key.endswith("-qualifier")]
    # "including", "It includes ... in the areas of", "such as", "focusing mainly on", "the most
    # immediate priority areas of": five partial lists, each qualifier quoted up to its list's end
    assert len(qualifiers) == 5
    for qualifier in qualifiers:
        whole = next(i for i in lists if i.key == qualifier.key.removesuffix("-qualifier"))
        assert qualifier.start < whole.start and qualifier.end == whole.end
    items = [
        i
        for i in build.assertions
        if i.method == "concept-list" and i not in lists and i not in qualifiers
    ]
    assert items
    for item in items:
        ((subject, _, concept),) = item.triples
        assert any(
            whole.start <= item.start < item.end <= whole.end and (subject, concept) in pairs
            for whole, pairs in members.items()
        ), item.key
