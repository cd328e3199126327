"""Tests of the HTML pages of the web site: entity pages, landing, timeline and query editor."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from nato_iraq_kg import paths
from nato_iraq_kg.serve import pages
from nato_iraq_kg.serve.html_common import vocabulary_labels

ID = "https://w3id.org/nato-iraq-kg/id/"
STATIC = Path(pages.__file__).parent / "static"
VOID = paths.data_dir() / "void.ttl"
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


class StrictParser(HTMLParser):
    """Collect links and fail on mis-nested or unclosed elements, which browsers would repair."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.urls: list[str] = []
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v or "" for k, v in attrs if k in ("href", "src")]
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def parse(page: str) -> StrictParser:
    """Parse a page and check it is a well-nested HTML5 document."""
    parser = StrictParser()
    parser.feed(page)
    parser.close()
    assert parser.doctype, "no <!DOCTYPE html>"
    assert not parser.errors, parser.errors[:5]
    assert not parser.stack, f"unclosed: {parser.stack}"
    return parser


def test_stoltenberg_page_has_label_office_wikidata_and_marked_quote(store: Any) -> None:
    """Jens Stoltenberg's page names him, links his office and Wikidata, and marks the quote."""
    page = pages.entity_page(store, ID + "actor/jens-stoltenberg")
    assert "<title>Jens Stoltenberg</title>" in page
    assert "<h1>Jens Stoltenberg</h1>" in page
    assert 'href="/id/office/secretary-general-of-nato"' in page
    assert 'href="http://www.wikidata.org/entity/Q57665"' in page
    assert "<q>NATO Secretary General Jens Stoltenberg</q>" in page
    assert re.search(r"<mark>NATO Secretary General Jens Stoltenberg[^<]*</mark>", page)
    parse(page)


def test_properties_and_classes_are_named_by_the_ontology_labels(store: Any) -> None:
    """With the ontology's labels, "nik:participant" read backwards is "participant in"."""
    vocabulary = vocabulary_labels(paths.ontology_file(paths.project_root()))
    assert vocabulary["https://w3id.org/nato-iraq-kg/ontology#participant"] == "participant"
    page = pages.entity_page(store, ID + "actor/jens-stoltenberg", vocabulary)
    assert (
        '<a class="fact-property" href="/ontology#participant" title="nik:participant">'
        "participant in</a>" in page
    )
    assert '<dt>type</dt><dd><a href="/ontology#Person">person</a></dd>' in page
    # Without the ontology our classes fall back to compact names; nothing is left blank.
    bare = pages.entity_page(store, ID + "actor/jens-stoltenberg")
    assert '<a href="/ontology#Person">nik:Person</a>' in bare


def test_ntm_i_page_marks_fifteen_thousand_officers(store: Any) -> None:
    """The NTM-I page shows the quote with "15,000" highlighted inside its paragraph."""
    page = pages.entity_page(store, ID + "programme/ntm-i")
    assert re.search(r"<mark>[^<]*15,000[^<]*</mark>", page)
    assert "key point 2" in page
    parse(page)


def test_quote_is_placed_by_offsets_not_first_occurrence() -> None:
    """A quote that occurs twice in its paragraph is marked where its offsets say."""
    ev = pages.Evidence(
        iri="x",
        quote="NATO",
        start=109,
        end=113,
        part=None,
        part_label="p",
        part_text="NATO and NATO",
        part_begin=100,
    )
    assert pages.highlight(ev) == "NATO and <mark>NATO</mark>"


def test_labels_and_iris_are_escaped() -> None:
    """A label holding markup comes out as text, in the title, the heading and the links."""
    tiny = pyoxigraph.Store()
    thing = pyoxigraph.NamedNode(ID + "actor/evil")
    other = pyoxigraph.NamedNode(ID + "actor/other")
    label = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    graph = pyoxigraph.NamedNode(ID + "assertion/x")
    evil = "<script>alert(1)</script>"
    tiny.add(pyoxigraph.Quad(thing, label, pyoxigraph.Literal(evil, language="en"), graph))
    tiny.add(pyoxigraph.Quad(other, pyoxigraph.NamedNode(ID + "p"), thing, graph))
    for iri in (thing.value, other.value):
        page = pages.entity_page(tiny, iri)
        assert "<script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        parse(page)


def test_unknown_iri_is_reported_missing(store: Any) -> None:
    """The server can tell an unknown IRI from a known one before rendering a page."""
    assert pages.has_entity(store, ID + "actor/nato")
    assert not pages.has_entity(store, ID + "actor/nobody-at-all")
    assert not pages.has_entity(store, "not an iri")


def test_landing_page_lists_every_distribution_and_the_counts(store: Any) -> None:
    """The landing page links each download of void.ttl and shows the dataset's counts."""
    page = pages.landing_page(store, VOID)
    void = pyoxigraph.Store()
    void.load(path=str(VOID), format=pyoxigraph.RdfFormat.TURTLE)
    urls = [
        row["u"].value
        for row in void.query("SELECT ?u { ?d <http://www.w3.org/ns/dcat#downloadURL> ?u }")
    ]
    assert len(urls) >= 7
    for url in urls:
        assert f'href="/data/{url.split("/data/", 1)[1]}"' in page
    for name in ("triples", "entities", "classes", "properties"):
        value = next(iter(void.query(f"SELECT ?n {{ ?d <http://rdfs.org/ns/void#{name}> ?n }}")))
        assert f"<dd>{int(value['n'].value):,}</dd>" in page
    assert 'href="/query?cq=01"' in page
    assert 'href="/timeline"' in page
    assert 'href="/id/place/baghdad"' in page  # every entity can be reached from home
    parse(page)


def test_landing_page_counts_each_kind_as_the_build_does(store: Any, build: Any) -> None:
    """Regression: "Places (7)" and "Documents (2)" on the page, 9 and 4 in the build summary.

    Every kind the build summary counts is listed with the build's count (subclasses included,
    so Iraq and Jordan are places as well as actors), and each entity of it is linked.
    """
    from nato_iraq_kg.build.class_counts import SUMMARY_CLASSES
    from nato_iraq_kg.namespaces import NIK

    page = pages.landing_page(store, VOID)
    counts = build.class_counts(SUMMARY_CLASSES)
    shown = dict(
        re.findall(r'<details data-class="([^"]+)"><summary>[^<]*\(<span class="count">(\d+)', page)
    )
    assert len(shown) == len(SUMMARY_CLASSES) == 11
    assert {cls: int(n) for cls, n in shown.items()} == {str(c): n for c, n in counts.items()}
    places = page.split('data-class="https://w3id.org/nato-iraq-kg/ontology#Place"')[1]
    places = places.split("</details>")[0]
    assert places.count("<li>") == counts[NIK.Place] == 9
    assert 'href="/id/actor/jordan"' in places
    parse(page)


def test_timeline_page_uses_only_local_assets() -> None:
    """The timeline page and its script load nothing from other sites."""
    page = pages.timeline_page()  # without a store: no quotes, same assets
    parser = parse(page)
    assert "/static/timeline.js" in parser.urls
    assert "/static/style.css" in parser.urls
    assert all(not re.match(r"(https?:)?//", url) for url in parser.urls), parser.urls
    for name in ("timeline.js", "query.js", "style.css"):
        text = (STATIC / name).read_text(encoding="utf-8")
        assert all(
            text.startswith("https://w3id.org/nato-iraq-kg/", m.start())
            for m in re.finditer(r"https?:", text)
        ), name


def test_query_page_preloads_the_chosen_question_and_embeds_all() -> None:
    """With ``cq=7`` the editor holds question 07, and every question is embedded as JSON."""
    page = pages.query_page("7")
    parser = parse(page)
    cq07 = sorted((paths.project_root() / "queries" / "cq").glob("07-*.rq"))[0]
    text = pages.with_prologue(cq07.read_text(encoding="utf-8"))
    assert pages.esc(text) in page  # the no-script form holds it too
    match = re.search(r'<script type="application/json" id="cq-data">(.*?)</script>', page, re.S)
    assert match
    data = json.loads(match.group(1))
    assert len(data) == len(list(cq07.parent.glob("[0-9][0-9]-*.rq")))
    assert data["07"]["query"] == text
    assert 'action="/sparql"' in page
    # YASGUI comes from our own files, never from a CDN.
    assert "/static/vendor/yasgui/yasgui.min.js" in parser.urls
    assert "/static/vendor/yasgui/yasgui.min.css" in parser.urls
    assert all(not re.match(r"(https?:)?//", url) for url in parser.urls), parser.urls
    for url in parser.urls:
        if url.startswith("/static/"):
            assert (STATIC / url.removeprefix("/static/")).is_file(), url


def test_query_prologue_declares_what_the_query_uses_and_nothing_else() -> None:
    """The editor's queries carry their PREFIX lines so they run on any store."""
    query = (
        "# Who? (rdfs: in a comment is not a use)\n"
        'SELECT ?x WHERE { ?x a nik:Event ; rdfs:label "time: no" . <http://a/b:c> ?p ?o }\n'
    )
    assert pages.with_prologue(query) == (
        "# Who? (rdfs: in a comment is not a use)\n"
        "PREFIX nik: <https://w3id.org/nato-iraq-kg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "\n"
        'SELECT ?x WHERE { ?x a nik:Event ; rdfs:label "time: no" . <http://a/b:c> ?p ?o }\n'
    )
    own = "PREFIX nik: <http://example.org/>\nSELECT * { ?x a nik:E }"
    assert pages.with_prologue(own) == own
    assert pages.with_prologue("ASK { ?s ?p ?o }") == "ASK { ?s ?p ?o }"


def test_vendored_yasgui_is_the_pinned_npm_build() -> None:
    """The shipped YASGUI files are those NOTICE.txt names (refresh: scripts/vendor-yasgui.sh)."""
    folder = STATIC / "vendor" / "yasgui"
    notice = (folder / "NOTICE.txt").read_text(encoding="utf-8")
    pinned = json.loads((paths.project_root() / "vendor" / "package.json").read_text())
    assert f"@zazuko/yasgui {pinned['dependencies']['@zazuko/yasgui']} " in notice
    for name in ("yasgui.min.js", "yasgui.min.css"):
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in notice, name


@pytest.mark.parametrize("name", ["timeline.js", "query.js"])
def test_scripts_are_valid_javascript(name: str) -> None:
    """The page scripts parse (``node --check``), so a typo cannot blank the page."""
    result = subprocess.run(
        ["node", "--check", str(STATIC / name)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


#: A minimal DOM and fetch for node, enough to draw the timeline and click its first event.
TIMELINE_HARNESS = r"""
const fs = require("fs");
const [script, data] = process.argv.slice(2);
function makeEl(tag) {
  const e = {
    tag, attrs: {}, children: [], style: {}, listeners: {}, _text: "",
    setAttribute(k, v) { this.attrs[k] = String(v); },
    getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; },
    appendChild(c) { this.children.push(c); c.parent = this; return c; },
    addEventListener(t, f) { (this.listeners[t] = this.listeners[t] || []).push(f); },
    focus() { doc.activeElement = this; },
    set textContent(t) { this.children = []; this._text = t; },
    get textContent() { return this._text + this.children.map(c => c.textContent).join(""); },
  };
  return e;
}
const byId = {};
for (const id of ["timeline", "event-detail", "zoom-in", "zoom-out"]) byId[id] = makeEl("div");
byId.timeline.attrs["data-src"] = "/data/timeline.jsonld";
function all(e, out) { for (const c of e.children || []) { out.push(c); all(c, out); } return out; }
const doc = {
  readyState: "complete",
  createElement: makeEl,
  createTextNode: (t) => ({ textContent: t, children: [] }),
  getElementById: (id) => byId[id] || null,
  querySelectorAll: () =>
    all(byId.timeline, []).filter((e) => (e.attrs.class || "").split(" ").includes("ev")),
};
global.document = doc;
global.fetch = (url) => Promise.resolve({
  ok: url === "/data/timeline.jsonld",
  status: 200,
  json: () => Promise.resolve(JSON.parse(fs.readFileSync(data, "utf8"))),
});
eval(fs.readFileSync(script, "utf8"));
setTimeout(() => {
  const buttons = doc.querySelectorAll();
  const classes = {};
  buttons.forEach(b => { classes[b.attrs.class] = (classes[b.attrs.class] || 0) + 1; });
  buttons[0].listeners.click[0]();
  const detail = byId["event-detail"];
  const links = all(detail, []).filter(e => e.tag === "a").map(e => e.attrs.href);
  const right = { key: "ArrowRight", currentTarget: buttons[0], preventDefault() {} };
  buttons[0].listeners.keydown[0](right);
  console.log(JSON.stringify({ n: buttons.length, classes, detail: detail.textContent, links,
    pressed: buttons.map(b => b.attrs["aria-pressed"]).indexOf("true"),
    focused: buttons.indexOf(doc.activeElement), width: all(byId.timeline, [])[0].style.width }));
}, 50);
"""


def run_timeline(tmp_path: Path, data: Path) -> dict[str, Any]:
    """Draw the timeline from ``data`` in node with a stub DOM and report what it drew."""
    harness = tmp_path / "harness.js"
    harness.write_text(TIMELINE_HARNESS, encoding="utf-8")
    result = subprocess.run(
        ["node", str(harness), str(STATIC / "timeline.js"), str(data)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_timeline_draws_every_dated_event_at_its_precision(tmp_path: Path) -> None:
    """All dated events become buttons, drawn by precision; a click shows linked details."""
    data = paths.data_dir() / "timeline.jsonld"
    events = json.loads(data.read_text(encoding="utf-8"))["@graph"]
    drawn = run_timeline(tmp_path, data)
    assert drawn["n"] == len([e for e in events if e.get("hasDate")])
    assert set(drawn["classes"]) == {"ev ev-day", "ev ev-month", "ev ev-year"}
    assert "NTM-I" in drawn["detail"]
    assert "/id/actor/nato" in drawn["links"]
    assert all(link.startswith("/id/") for link in drawn["links"])
    assert drawn["pressed"] == drawn["focused"] == 1  # the right arrow moved to the next event


def test_timeline_draws_a_vague_date_as_a_dashed_bar(tmp_path: Path) -> None:
    """An event dated only between bounds is drawn as the vague kind of bar."""
    data = tmp_path / "timeline.jsonld"
    vague = {
        "type": ["Instant", "VagueDate"],
        "label": "early 2016",
        "earliestDate": "2016-01-01",
        "latestDate": "2016-06-30",
    }
    doc = {
        "@context": {"event": ID + "event/"},
        "@graph": [
            {"id": "event:a", "label": "<b>A</b>", "hasDate": [vague]},
            {"id": "event:b", "label": "B"},
        ],
    }
    data.write_text(json.dumps(doc), encoding="utf-8")
    drawn = run_timeline(tmp_path, data)
    assert drawn["n"] == 1
    assert drawn["classes"] == {"ev ev-vague": 1}
    assert drawn["links"] == ["/id/event/a"]
    assert "early 2016 (vague)" in drawn["detail"]


def test_only_http_iris_become_links() -> None:
    """A javascript: or file: IRI in the data is shown as text, never as an href."""
    import pyoxigraph

    from nato_iraq_kg.serve.pages import entity_page

    store = pyoxigraph.Store()
    subject = pyoxigraph.NamedNode("https://w3id.org/nato-iraq-kg/id/actor/x")
    label = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    see = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
    graph = pyoxigraph.NamedNode("https://w3id.org/nato-iraq-kg/id/assertion/s/a")
    store.add(pyoxigraph.Quad(subject, label, pyoxigraph.Literal("X", language="en"), graph))
    for bad in ("javascript:alert(1)", "file:///etc/passwd"):
        store.add(pyoxigraph.Quad(subject, see, pyoxigraph.NamedNode(bad), graph))
    page = entity_page(store, subject.value)
    assert 'href="javascript:' not in page and 'href="file:' not in page


def test_each_fact_shows_its_tier_and_an_interpretation_its_reason(store: Any) -> None:
    """The NTM-I establishment's agent (read from the mission's name) shows as interpreted, why."""
    page = pages.entity_page(store, ID + "event/2004-ntm-i-establishment")
    assert '<span class="tier tier-stated">stated</span>' in page
    interpreted = re.search(
        r'<span class="tier tier-interpreted" title="([^"]*)">interpreted', page
    )
    assert interpreted, "no interpreted fact shown"
    assert "read from the mission&#x27;s name" in interpreted.group(1)
    assert re.search(r'<span class="tier tier-derived"[^>]*>derived</span>', page)
    parse(page)


def _texts(page: str, css_class: str) -> list[str]:
    """Return the text of every element whose class attribute is exactly ``css_class``."""
    found = re.findall(rf'<(\w+) class="{css_class}"[^>]*>(.*?)</\1>', page, re.S)
    return [re.sub(r"<[^>]+>", "", inner) for _, inner in found]


def test_ntm_i_page_shows_each_paragraph_once_after_a_summary(store: Any) -> None:
    """Regression: the NTM-I page repeated its milestone paragraph about ten times.

    Each paragraph the facts were read from is shown once, with every quote of it marked, and
    the facts are listed under their quote; the page opens with a summary.
    """
    vocabulary = vocabulary_labels(paths.ontology_file(paths.project_root()))
    page = pages.entity_page(store, ID + "programme/ntm-i", vocabulary)
    milestone = '<blockquote class="evidence"><mark>2004:\xa0'  # the paragraph, not its quotes
    assert page.count(milestone) == 1, page.count(milestone)
    quotes = re.findall(r'<li class="quote[^"]*"><p class="quote-text"><q>', page)
    paragraphs = re.findall(r'<blockquote class="evidence">', page)
    assert len(quotes) >= 15 and len(paragraphs) == 5, (len(quotes), len(paragraphs))
    summary = page.index('<dl class="summary">')
    assert summary < page.index("<blockquote")
    rows = dict(re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", page[summary:]))
    assert set(rows) >= {"type", "when", "who"}
    assert "2004" in rows["when"] and "2011" in rows["when"]
    assert 'href="/id/actor/nato"' in rows["who"]
    parse(page)


@pytest.mark.parametrize(
    "entity", ["programme/ntm-i", "actor/nato", "actor/jens-stoltenberg", "place/baghdad"]
)
def test_every_property_reads_as_words(store: Any, entity: str) -> None:
    """Regression: headings such as ``rdf:type``, ``skos:altLabel`` and "is depicts of"."""
    vocabulary = vocabulary_labels(paths.ontology_file(paths.project_root()))
    page = pages.entity_page(store, ID + entity, vocabulary)
    names = _texts(page, "fact-property") + re.findall(r"<dt>([^<]+)</dt>", page)
    assert len(names) > 3
    assert not [n for n in names if re.search(r"\w:\w", n) or n.startswith("is ")], names
    # Every fact has the one place where badges (tier, supporting revisions) go.
    facts = page.count('<li class="fact">')
    assert facts and page.count('<span class="fact-badges">') >= facts


def test_statements_read_backwards_have_their_own_words(store: Any) -> None:
    """A photo that depicts Stoltenberg reads "depicted in" on his page."""
    page = pages.entity_page(store, ID + "actor/jens-stoltenberg")
    assert ">depicted in</a>" in page
    assert "is depicts of" not in page


def test_every_link_between_our_things_has_words_for_both_directions(store: Any) -> None:
    """Each property that links two of our entities has a label and a backwards wording."""
    from nato_iraq_kg.serve.wording import INVERSE_LABELS, term_labels

    names = term_labels(vocabulary_labels(paths.ontology_file(paths.project_root())))
    linking = {
        quad.predicate.value
        for quad in store.quads_for_pattern(None, None, None, None)
        if isinstance(quad.object, pyoxigraph.NamedNode)
        and quad.object.value.startswith(ID)
        and quad.predicate.value != "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    }
    assert len(linking) > 40
    assert sorted(linking - set(INVERSE_LABELS)) == []
    assert sorted(p for p in linking if p not in names) == []


def test_timeline_page_embeds_each_events_quotes(store: Any) -> None:
    """The detail panel's quotes are in the page: the Stoltenberg visit has its sentence."""
    quotes = pages.event_quotes(store)
    assert len(quotes) >= 20
    visit = quotes[ID + "event/2016-03-01-stoltenberg-meets-massoum-and-al-abadi"]
    assert any(q.startswith("NATO Secretary General Jens Stoltenberg meets") for q in visit)
    page = pages.timeline_page(store)
    match = re.search(r'<script type="application/json" id="timeline-quotes">(.*?)</script>', page)
    assert match and json.loads(match.group(1)) == quotes
    parse(page)


def test_english_text_carries_no_language_or_datatype_note(store: Any) -> None:
    """English labels read as plain text: no "@en", no "rdf:langString" after them."""
    page = pages.entity_page(store, ID + "actor/jens-stoltenberg")
    assert "langString" not in page and "@en" not in page


def test_each_quoted_fact_names_the_revision_that_supports_it(store: Any) -> None:
    """With one real revision, every fact read from a quote says "as of 3 Feb 2017", linked.

    The revision's page is the source text's own IRI; no fact of the real graph has lapsed.
    """
    page = pages.entity_page(store, ID + "actor/nato")
    badge = '<a href="/id/source/nato-relations-with-iraq-2017-02-03">as of 3 Feb 2017</a>'
    quoted = re.findall(r'<li class="quote[^"]*">.*?</ul></li>', page, re.S)
    facts = [f for q in quoted for f in re.findall(r'<li class="fact">.*?</li>', q, re.S)]
    assert len(facts) > 10 and all(badge in f for f in facts), [f for f in facts if badge not in f]
    assert "lapsed" not in page
    parse(page)
