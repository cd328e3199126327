"""Revisions end to end: register a second revision, carry the facts over, build, ask "as of".

The second revision is made here by hand from the real text (never written into ``data/``): the
second photo caption is dropped and key point 2 says "more than 15,000". So, by hand: the caption's
fact is lost (and lapses in the graph), the key point's fact is changed (a person rewords its quote,
and it stays supported by both revisions), every quote before the caption is kept, and every other
quote after it moves back by the caption's length.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from answers import answer_from_csv, answer_from_file
from nato_iraq_kg.cli import cli
from nato_iraq_kg.sparql.local import load_graph, run_serialized

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data" / "source" / "nato-relations-with-iraq-2017-02-03.txt"
FIXTURES = Path(__file__).parent / "fixtures" / "revisions"
FIRST = "nato-relations-with-iraq-2017-02-03"
SECOND = "nato-relations-with-iraq-2017-06-01"
CAPTION = (
    "NATO Secretary General Jens Stoltenberg with the President of the Republic of Iraq, "
    "Fouad Massoum (March 2016)\n\n"
)
OLD_WORDS = "during which 15,000 Iraqi officers were trained"
NEW_WORDS = "during which more than 15,000 Iraqi officers were trained"


def second_text() -> str:
    """The hand-made second revision: one caption dropped, one key point reworded."""
    text = REAL.read_text(encoding="utf-8")
    assert text.count(CAPTION) == 1 and text.count(OLD_WORDS) == 1
    return text.replace(CAPTION, "").replace(OLD_WORDS, NEW_WORDS)


def invoke(root: Path, *args: str) -> Result:
    """Run the CLI in-process with ``root`` as the project."""
    return CliRunner().invoke(cli, list(args), env={"NATO_IRAQ_KG_ROOT": str(root)})


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private copy of the project with the second revision registered and carried over."""
    root = tmp_path_factory.mktemp("revisions")
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    new = root / "second.txt"
    new.write_text(second_text(), encoding="utf-8")
    added = invoke(root, "source", "add", str(new), "--modified", "2017-06-01T10:00")
    assert added.exit_code == 0, added.output
    yield root


@pytest.fixture(scope="module")
def carried(project: Path) -> Result:
    """``reanchor SECOND --write`` on the project (run once)."""
    return invoke(project, "reanchor", SECOND, "--write", "--format", "json")


@pytest.fixture(scope="module")
def resolved(project: Path, carried: Result) -> Path:
    """The project after a person resolved the review list, and built."""
    curated = project / "data" / "curation" / f"{SECOND}.yaml"
    text = curated.read_text(encoding="utf-8")
    text = text[: text.index("\n# Quotes not found as they were")] + "\n"
    fact = re.compile(r"  - id: caption-photo-date\n(?:    .*\n|      .*\n)+")
    assert len(fact.findall(text)) == 1
    text = fact.sub("", text)
    name = "  event:2016-03-photo-stoltenberg-massoum:\n    a: nik:PhotoOpportunity\n"
    name += f"    label: {CAPTION.strip()}\n"
    assert text.count(name) == 1
    text = text.replace(name, "")
    new_at = second_text().index(NEW_WORDS)
    text = text.replace(
        f'quote: "{OLD_WORDS}"\n    at: 760', f'quote: "{NEW_WORDS}"\n    at: {new_at}'
    )
    curated.write_text(text, encoding="utf-8")
    built = invoke(project, "build")
    assert built.exit_code == 0, built.output
    return project


def test_source_add_copies_hashes_and_describes(project: Path) -> None:
    """The new revision's text is copied byte for byte and its metadata names its hash and date."""
    folder = project / "data" / "source"
    assert (folder / f"{SECOND}.txt").read_text(encoding="utf-8") == second_text()
    meta = (folder / f"{SECOND}.toml").read_text(encoding="utf-8")
    assert 'last_updated = "2017-06-01T10:00:00"' in meta
    assert f'curation = "../curation/{SECOND}.yaml"' in meta


def test_source_add_refuses_the_same_day_twice(project: Path) -> None:
    """A second revision with the same last-updated day is refused (exit 2), nothing written."""
    again = invoke(project, "source", "add", str(REAL), "--modified", "2017-06-01T11:00")
    assert again.exit_code == 2
    assert "already registered" in again.stderr


def test_reanchor_reports_the_hand_made_revision(carried: Result) -> None:
    """Kept before the caption, moved after it, the caption's fact lost, key point 2 changed."""
    assert carried.exit_code == 1
    report = json.loads(carried.stdout)
    assert report["to"].endswith(SECOND)
    quotes = report["quotes"]
    assert len(quotes) == 326
    caption_start = REAL.read_text(encoding="utf-8").index(CAPTION)
    by_key = {q["id"].rsplit("/", 1)[1]: q for q in quotes}
    assert by_key["fact-caption-photo-date"]["status"] == "lost"
    assert by_key["name-event-2016-03-photo-stoltenberg-massoum"]["status"] == "lost"
    changed = by_key["fact-kp2-ntm-i-trained"]
    assert changed["status"] == "changed"
    assert changed["new_exact"] == NEW_WORDS
    assert 0.8 < changed["score"] < 1.0
    special = {
        "fact-caption-photo-date",
        "fact-kp2-ntm-i-trained",
        "name-event-2016-03-photo-stoltenberg-massoum",
    }
    shift = len(CAPTION)
    inserted_at = REAL.read_text(encoding="utf-8").index(OLD_WORDS) + len("during which ")
    for key, quote in by_key.items():
        if key in special:
            continue
        start, end = quote["old"]
        expected = start if end <= caption_start else start - shift
        if start >= inserted_at:
            expected += len("more than ")
        assert quote["new"] == [expected, expected + end - start], key
        assert quote["status"] == ("kept" if expected == start else "moved"), key


def test_reanchor_write_lists_the_review_and_build_refuses(project: Path, carried: Result) -> None:
    """The carried file lists both quotes under review; the build refuses it naming them."""
    curated = (project / "data" / "curation" / f"{SECOND}.yaml").read_text(encoding="utf-8")
    review = curated[curated.index("\nreview:") :]
    assert "id: fact-caption-photo-date" in review and "id: fact-kp2-ntm-i-trained" in review
    assert "id: name-event-2016-03-photo-stoltenberg-massoum" in review
    assert f"source: {SECOND}" in curated
    refused = invoke(project, "build", "--check")
    assert refused.exit_code == 1
    assert "fact-caption-photo-date (lost)" in refused.stderr
    assert "fact-kp2-ntm-i-trained (changed)" in refused.stderr


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.rq")))
def test_as_of_questions(resolved: Path, name: str) -> None:
    """Each "as of" question has its hand-written answer on the two-revision dataset."""
    store = load_graph(resolved / "data" / "nato-iraq.trig")
    sparql = (FIXTURES / f"{name}.rq").read_text(encoding="utf-8")
    got = answer_from_csv(run_serialized(store, sparql, "csv"))
    assert got.same_as(answer_from_file(FIXTURES / f"{name}.csv")), got


def test_as_of_questions_were_found() -> None:
    """The parametrised loop above really has questions to run."""
    assert len(list(FIXTURES.glob("*.rq"))) == 5


def test_default_view_is_the_latest_revision(resolved: Path) -> None:
    """The facts file leaves the lapsed fact out; the dataset keeps it, marked."""
    facts = (resolved / "data" / "nato-iraq.ttl").read_text(encoding="utf-8")
    dataset = (resolved / "data" / "nato-iraq.trig").read_text(encoding="utf-8")
    assert "event:2016-03-photo-stoltenberg-massoum" not in facts
    assert "event:2016-03-photo-stoltenberg-massoum" in dataset
    assert "programme:ntm-i" in facts


def test_diff_names_added_lapsed_and_reworded(resolved: Path) -> None:
    """``diff`` reports the lapsed caption fact and the reworded key point, nothing added."""
    result = invoke(resolved, "diff", FIRST, SECOND, "--format", "json")
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)["changes"]
    kinds: dict[str, list[str]] = {}
    for change in changes:
        kinds.setdefault(change["change"], []).append(change["assertion"].rsplit("/", 1)[1])
    assert kinds.get("added") is None
    assert kinds["lapsed"] == [
        "fact-caption-photo-date",
        "name-event-2016-03-photo-stoltenberg-massoum",
    ]
    assert kinds["reworded"] == ["fact-kp2-ntm-i-trained"]
    assert len(kinds["moved"]) > 200
    text = invoke(resolved, "diff", FIRST, SECOND).stdout
    assert "0 added, 2 lapsed" in text
    assert f"  ~ fact-kp2-ntm-i-trained: {OLD_WORDS!r} now reads {NEW_WORDS!r}" in text


def test_diff_as_rdf_holds_the_lapsed_triples(resolved: Path) -> None:
    """The TriG changeset parses and its lapsed graph holds the caption's date triple."""
    from rdflib import Dataset, URIRef

    result = invoke(resolved, "diff", FIRST, SECOND, "--format", "trig")
    assert result.exit_code == 0, result.output
    dataset = Dataset()
    dataset.parse(data=result.stdout, format="trig")
    base = f"https://w3id.org/nato-iraq-kg/graph/changeset/{FIRST}/{SECOND}"
    lapsed = dataset.graph(URIRef(f"{base}/lapsed"))
    event = URIRef("https://w3id.org/nato-iraq-kg/id/event/2016-03-photo-stoltenberg-massoum")
    assert (event, None, None) in lapsed
    assert len(dataset.graph(URIRef(f"{base}/added"))) == 0


def _fact_items(page: str) -> list[str]:
    """Return the HTML of each fact row of an entity page."""
    return re.findall(r'<li class="fact">.*?</li>', page, re.S)


def test_entity_pages_show_the_revisions_behind_each_fact(resolved: Path) -> None:
    """A fact both revisions state shows both; the dropped caption's fact shows its lapse.

    By hand: the count of officers trained (key point 2, reworded) is supported by the revision
    of 3 Feb 2017 and by that of 1 Jun 2017; the photo's date was read from the caption the
    second revision dropped, so it lapsed in 1 Jun 2017 and only the first supports it.
    """
    from nato_iraq_kg.serve.page_entity import entity_page

    store = load_graph(resolved / "data" / "nato-iraq.trig")
    first = f'<a href="/id/source/{FIRST}">as of 3 Feb 2017</a>'
    second = f'<a href="/id/source/{SECOND}">as of 1 Jun 2017</a>'
    lapse = f'<a href="/id/source/{SECOND}">lapsed 1 Jun 2017</a>'

    page = entity_page(store, "https://w3id.org/nato-iraq-kg/id/quantity/ntm-i-officers-trained")
    both = [f for f in _fact_items(page) if ">15000<" in f]
    assert both and all(first in f and second in f and "lapsed" not in f for f in both), both

    page = entity_page(
        store, "https://w3id.org/nato-iraq-kg/id/event/2016-03-photo-stoltenberg-massoum"
    )
    facts = _fact_items(page)
    dated = [f for f in facts if "date/2016-03" in f]
    assert dated and all(lapse in f and first in f and second not in f for f in dated), dated
    # Facts of the first revision that the second still states carry no lapse.
    ntm_i = entity_page(store, "https://w3id.org/nato-iraq-kg/id/programme/ntm-i")
    assert second in ntm_i and "lapsed" not in ntm_i
