"""Stated, derived, interpreted: every graph of facts has its tier, and stated quotes show facts.

The expected tiers and the words below were written by hand from the page and the precision
audit of 3 December 2026; none is computed by the code under test.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from nato_iraq_kg.build.pipeline import BuildResult, assemble
from nato_iraq_kg.build.tiers import tier_counts
from nato_iraq_kg.namespaces import (
    DERIVED_GRAPH,
    ENTAILED_GRAPH,
    EVIDENCE_GRAPH,
    ID,
    LINKS_GRAPH,
    NIK,
)

ROOT = Path(__file__).resolve().parents[1]
SLUG = "nato-relations-with-iraq-2017-02-03"

#: What the audit found the page does not state, and the tier it now has (YAML fact ids, or the
#: concept-links of an entity). Each is an interpretation with a reason, never "stated".
INTERPRETED = {
    "fact-m2004-ntm-i-established-by-nato": (
        "event/2004-ntm-i-establishment",
        "agent",
        "actor/nato",
    ),
    "fact-pc3-wales-dcb-initiative-agreed-by-allied-leaders": (
        "event/2014-09-dcb-initiative-agreement",
        "agent",
        "actor/allied-leaders",
    ),
    "fact-pc3-dcb-initiative-launched-by-nato": (
        "event/dcb-initiative-launch",
        "agent",
        "actor/nato",
    ),
    "fact-m2017-01-core-team-deployed-by-nato": (
        "event/2017-01-core-team-deployment",
        "agent",
        "actor/nato",
    ),
    "fact-pc2-ipcp-in-partnership": (
        "programme/ipcp",
        "partOfProgramme",
        "programme/nato-iraq-partnership",
    ),
    "fact-pc5-ssr-advice-in-iraq": ("programme/ssr-advice", "place", "actor/iraq"),
    "fact-pc5-mobile-team-visits-by-mobile-teams": (
        "event/2016-02-mobile-team-visits",
        "partOfProgramme",
        "programme/mobile-ssr-teams",
    ),
    "fact-m2016-03-prime-minister-of-iraq": (
        "office/prime-minister-of-iraq",
        "postIn",
        "actor/iraq",
    ),
    "fact-m2016-03-statements-during-visit": (
        "event/2016-03-01-commendation",
        "subEventOf",
        "event/2016-03-01-stoltenberg-visit-to-iraq",
    ),
    "concept-links-area-training-cooperation": (
        "area/training-cooperation",
        "broader",
        "area/training",
    ),
    "concept-links-area-military-training": ("area/military-training", "broader", "area/training"),
    "concept-links-area-medical-assistance": (
        "area/medical-assistance",
        "broader",
        "area/assistance",
    ),
    "concept-links-area-advice-on-security-sector-reform": (
        "area/advice-on-security-sector-reform",
        "broader",
        "area/security-sector-reform",
    ),
    "concept-links-area-civil-military-planning-support-to-operations": (
        "area/civil-military-planning-support-to-operations",
        "broader",
        "area/civil-military-planning",
    ),
    "concept-links-area-counter-terrorism": (
        "area/counter-terrorism",
        "related",
        "area/response-to-terrorism",
    ),
}

#: Facts the audit found unstated that are gone from the graph altogether.
DROPPED = [
    ("actor/ntm-i-staff", NIK.coordinates, "programme/out-of-country-courses"),
    ("actor/iraqi-ministries", RDF.type, NIK.Ministry),
    ("actor/extremist-groups", RDF.type, NIK.ArmedGroup),
    ("event/2016-10-18-al-jaafari-visit-to-nato-hq", RDF.type, NIK.OfficialVisit),
]

#: The words by which a stated quote names an entity without its label or an alias: pronouns and
#: short forms the page uses ("the government's", "in-country", "President Fouad Massoum").
REFERRED_AS = {
    "actor/nato-partners": ["partners"],
    "actor/iraqi-government": ["the government’s"],
    "actor/iraq": ["in-country"],
    "actor/iraqi-officials": ["officers and officials"],
    "office/president-of-iraq": ["President Fouad Massoum"],
    "date/2016-04": ["between April and December 2016"],
    "date/2016-12": ["between April and December 2016"],
}

#: The kinds of entity a reader checks a quote for: who, which office, where, when.
CHECKED_KINDS = ("actor/", "office/", "place/", "date/")


@pytest.fixture(scope="module")
def build() -> BuildResult:
    """The build, in memory."""
    return assemble(ROOT)


def graph_key(name: URIRef) -> str:
    """Return an assertion graph's key (``fact-kp2-ntm-i-trained``)."""
    return str(name).removeprefix(f"{ID}assertion/{SLUG}/")


def test_every_graph_of_facts_has_one_tier_and_a_reason_unless_stated(build: BuildResult) -> None:
    """Each assertion and each quote-less graph of facts has one tier; only stated ones no note."""
    evidence = build.graphs[EVIDENCE_GRAPH]
    assertions = [name for name in build.graphs if str(name).startswith(f"{ID}assertion/")]
    assert len(assertions) > 300
    for name in [*assertions, DERIVED_GRAPH, ENTAILED_GRAPH, LINKS_GRAPH]:
        tiers = list(evidence.objects(name, NIK.tier))
        assert len(tiers) == 1, name
        notes = list(evidence.objects(name, SKOS.editorialNote))
        assert len(notes) == (0 if tiers[0] == NIK.stated else 1), name
    assert evidence.value(DERIVED_GRAPH, NIK.tier) == NIK.derived
    assert evidence.value(ENTAILED_GRAPH, NIK.tier) == NIK.derived
    assert evidence.value(LINKS_GRAPH, NIK.tier) == NIK.interpreted


def test_the_audit_findings_are_interpreted_with_a_reason(build: BuildResult) -> None:
    """Each unstated fact of the audit sits in an interpreted graph of its own, with its reason."""
    evidence = build.graphs[EVIDENCE_GRAPH]
    by_key = {graph_key(name): name for name in build.graphs}
    for key, (subject, prop, obj) in INTERPRETED.items():
        name = by_key[key]
        assert evidence.value(name, NIK.tier) == NIK.interpreted, key
        assert evidence.value(name, SKOS.editorialNote), key
        found = {
            (str(s).removeprefix(str(ID)), str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1], str(o))
            for s, p, o in build.graphs[name]
        }
        assert (subject, prop, f"{ID}{obj}") in found, key
        for stated in by_key.values():
            if evidence.value(stated, NIK.tier) == NIK.stated:
                for s, p, o in build.graphs[name]:
                    assert (s, p, o) not in build.graphs[stated], (key, stated)


def test_what_the_audit_found_unsupported_and_dropped_is_gone(build: BuildResult) -> None:
    """The facts dropped rather than re-tiered appear in no graph."""
    facts = build.facts()
    for subject, prop, obj in DROPPED:
        value = obj if isinstance(obj, URIRef) else URIRef(f"{ID}{obj}")
        assert (URIRef(f"{ID}{subject}"), prop, value) not in facts, (subject, prop)


def test_the_twelve_milestone_links_are_derived(build: BuildResult) -> None:
    """Milestone membership comes from the page's structure: 12 derived graphs, one link each."""
    evidence = build.graphs[EVIDENCE_GRAPH]
    holders = [name for name, graph in build.graphs.items() if (None, NIK.milestone, None) in graph]
    assert len(holders) == 12
    assert {evidence.value(name, NIK.tier) for name in holders} == {NIK.derived}


def test_every_stated_quote_names_the_who_where_and_when_of_its_facts(build: BuildResult) -> None:
    """A stated fact's quote names each actor, office, place and date it links to.

    A name is the entity's label or an alias, or the words listed in REFERRED_AS. Programmes and
    events are left out: the page refers to them by description ("a package of defence capacity
    building measures"), which no list of names can check.
    """
    facts = build.facts()
    checked = 0
    missing = []
    for item in build.assertions:
        if item.tier != "stated" or item.method in ("entity-name", "abbreviation"):
            continue
        for _s, p, o in item.triples:
            local = str(o).removeprefix(str(ID))
            if p == RDF.type or not isinstance(o, URIRef) or not local.startswith(CHECKED_KINDS):
                continue
            names = {str(v) for v in facts.objects(o, RDFS.label)}
            names |= {str(v) for v in facts.objects(o, SKOS.altLabel)}
            names |= set(REFERRED_AS.get(local, ()))
            checked += 1
            if not any(name in item.quote for name in names):
                missing.append((item.key, str(p), local, item.quote))
    assert checked > 150
    assert not missing, missing


def test_tier_counts_add_up_and_stated_is_counted_first(build: BuildResult) -> None:
    """Each triple counts once, in its strongest tier: a stated type entailed again is stated."""
    counts = tier_counts(build.graphs)
    assert list(counts) == [NIK.stated, NIK.derived, NIK.interpreted]
    union = Graph()
    for name, graph in build.graphs.items():
        if build.graphs[EVIDENCE_GRAPH].value(name, NIK.tier) is not None:
            union += graph
    assert sum(c["triples"] for c in counts.values()) == len(union)
    nato = URIRef(f"{ID}actor/nato")
    assert (nato, RDF.type, NIK.InternationalOrganization) in union
    # 27 identity links (19 Wikidata, 8 DBpedia), each stated twice: owl:sameAs and nik:*Item
    assert len(build.graphs[LINKS_GRAPH]) == 54
    assert counts[NIK.interpreted]["graphs"] == 17  # 10 facts, 6 concept links, the links graph
    assert counts[NIK.derived]["graphs"] == 14  # 12 milestone links, derived values, entailed types


def test_a_stated_only_query_leaves_out_the_interpreted_agents() -> None:
    """Asking for ?g nik:tier nik:stated drops the four agents read into passive sentences."""
    from nato_iraq_kg.sparql.local import load_graph, select

    store = load_graph()
    query = """
        PREFIX nik: <https://w3id.org/nato-iraq-kg/ontology#>
        SELECT DISTINCT ?e ?a ?tier WHERE { GRAPH ?g { ?e nik:agent ?a } ?g nik:tier ?tier }
    """
    result = select(store, query)
    tiers = Counter(str(row[2]).removeprefix("nik:") for row in result.rows)
    assert tiers == {"stated": 20, "interpreted": 4}  # CQ 45's 20 rows; the audit's 4 agents
