"""Tests for nato_iraq_kg.source.document: expectations typed by hand from the source page."""

from __future__ import annotations

from pathlib import Path

import pytest

from nato_iraq_kg.source.document import (
    ABBREVIATIONS,
    DocumentModel,
    DocumentShapeError,
    Part,
    segment,
)

SOURCE = Path(__file__).parents[1] / "data/source/nato-relations-with-iraq-2017-02-03.txt"

MILESTONE_DATES = [
    "2004",
    "2011",
    "June 2012",
    "24 September 2012",
    "31 July 2015",
    "1 March 2016",
    "April 2016",
    "19 May 2016",
    "9 July 2016",
    "18 October 2016",
    "January 2017",
]

SMALL_PAGE = (
    "Relations with Testland\n"
    "\n"
    "  • Last updated: 01 Jan. 2020 10:00\n"
    "\n"
    "NATO and Testland cooperate. They talk often.\n"
    "\n"
    "A photo caption with Dr. Who\n"
    "\n"
    "  • Testland is a partner.\n"
    "  • Mr. Smith visited in 2019. It went well!\n"
    "\n"
    "More background information\n"
    "\n"
    "  • Framework for cooperation\n"
    "\n"
    "    Cooperation began in 2010. It grew.\n"
    "\n"
    "  • Milestones in relations\n"
    "\n"
    "    2010:\u00a0Talks begin.\n"
    "\n"
    "    3 May 2019: A visit takes place. It is a success.\n"
)


@pytest.fixture(scope="module")
def text() -> str:
    """Return the exact source text, with no newline translation."""
    with SOURCE.open(encoding="utf-8", newline="") as handle:
        return handle.read()


@pytest.fixture(scope="module")
def model(text: str) -> DocumentModel:
    """Return the segmented source page."""
    return segment(text)


def span_text(model: DocumentModel, start: int, end: int) -> str:
    """Return the text of a span of the model."""
    return model.text[start:end]


def part_text(model: DocumentModel, name: str) -> str:
    """Return the text of a named part."""
    part = model.part(name)
    return model.text[part.start : part.end]


def sentence_texts(model: DocumentModel, part: str) -> list[str]:
    """Return the texts of the sentences of one part."""
    return [model.text[s.start : s.end] for s in model.sentences if s.part == part]


def test_source_length(text: str) -> None:
    """The source text is read untranslated: 7,839 code points."""
    assert len(text) == 7839


def test_part_counts(model: DocumentModel) -> None:
    """The page has 7 key points, 6 practical-cooperation paragraphs and 11 milestones."""
    assert len(model.children("key-points")) == 7
    assert len(model.children("practical-cooperation")) == 6
    assert len(model.children("milestones")) == 11
    assert [p.name for p in model.children("background")] == [
        "practical-cooperation",
        "milestones",
    ]


def test_part_order_and_names(model: DocumentModel) -> None:
    """Parts come in text order with sections before their children."""
    names = [p.name for p in model.parts]
    assert names[:6] == ["title", "last-updated", "lead", "caption-1", "caption-2", "key-points"]
    assert names[6:13] == [f"key-point-{i}" for i in range(1, 8)]
    assert names[13:15] == ["background", "practical-cooperation"]
    assert names[21] == "milestones"
    assert names[-1] == "milestone-11"
    assert [p.start for p in model.parts] == sorted(p.start for p in model.parts)


def test_part_texts(model: DocumentModel) -> None:
    """Several parts' offsets give the hand-copied strings."""
    assert part_text(model, "title") == "Relations with Iraq"
    assert part_text(model, "last-updated") == "Last updated: 03 Feb. 2017 14:39"
    assert part_text(model, "lead").startswith("NATO and Iraq are engaged in political dialogue")
    assert part_text(model, "lead").endswith("its national defence academies.")
    assert part_text(model, "caption-1").endswith("Republic of Iraq H.E. Fouad Massoum")
    assert part_text(model, "caption-2").endswith("(March 2016)")
    assert part_text(model, "key-point-6").startswith("The first phase of training")
    assert part_text(model, "key-point-6").endswith("350 Iraqi officers in Jordan.")
    assert part_text(model, "practical-cooperation-1").startswith("Cooperation between NATO")
    assert part_text(model, "milestone-1").startswith("2004:\u00a0The NATO Training Mission-Iraq")
    assert part_text(model, "milestone-11") == (
        "January 2017: A NATO Core Team is deployed to Baghdad to coordinate in-country "
        "training and capacity building activities."
    )


def test_part_kinds_and_parents(model: DocumentModel) -> None:
    """Kinds and parents follow the page structure."""
    assert model.part("title").kind == "title" and model.part("title").parent is None
    assert model.part("caption-2").kind == "caption"
    assert model.part("key-points").kind == "section"
    assert model.part("key-point-3").parent == "key-points"
    assert model.part("key-point-3").kind == "key-point"
    assert model.part("practical-cooperation").parent == "background"
    assert model.part("practical-cooperation-4").kind == "paragraph"
    assert model.part("milestone-4").kind == "milestone"
    assert model.part("milestone-4").parent == "milestones"


def test_section_headings(model: DocumentModel) -> None:
    """Section headings span the heading words; key points have no heading."""
    headings = {
        "background": "More background information",
        "practical-cooperation": "Practical cooperation",
        "milestones": "Milestones in relations",
    }
    for name, expected in headings.items():
        heading = model.part(name).heading
        assert heading is not None
        assert span_text(model, *heading) == expected
    assert model.part("key-points").heading is None


def test_background_spans_to_end(model: DocumentModel) -> None:
    """The background section runs from its heading to the end of the text content."""
    background = model.part("background")
    assert part_text(model, "background").startswith("More background information")
    assert background.end == len(model.text.rstrip())


def test_milestone_date_phrases(model: DocumentModel) -> None:
    """Every milestone's date phrase, in order, is the hand-typed list."""
    phrases = []
    for part in model.children("milestones"):
        assert part.date_phrase is not None
        assert part.date_phrase[0] == part.start
        assert model.text[part.date_phrase[1]] == ":"
        phrases.append(span_text(model, *part.date_phrase))
    assert phrases == MILESTONE_DATES


def test_nbsp_sentence_starts_at_b(model: DocumentModel) -> None:
    """The sentence after 'planning. \\xa0' starts exactly at its 'B'."""
    texts = sentence_texts(model, "practical-cooperation-5")
    assert len(texts) == 2
    assert texts[0].endswith("civil-military planning.")
    assert texts[1].startswith("Beginning with mobile team visits to Iraq in February 2016, ")
    sentence = next(s for s in model.sentences if model.text[s.start :].startswith("Beginning"))
    assert model.text[sentence.start - 2 : sentence.start] == " \u00a0"


def test_single_unit_sentences(model: DocumentModel) -> None:
    """Title, last-updated line, captions and headings are one sentence each."""
    assert sentence_texts(model, "title") == ["Relations with Iraq"]
    assert sentence_texts(model, "last-updated") == ["Last updated: 03 Feb. 2017 14:39"]
    assert sentence_texts(model, "caption-1") == [
        "NATO Secretary General Jens Stoltenberg with the President of the Republic of Iraq "
        "H.E. Fouad Massoum"
    ]
    assert len(sentence_texts(model, "caption-2")) == 1
    assert sentence_texts(model, "background") == ["More background information"]
    assert sentence_texts(model, "milestones") == ["Milestones in relations"]


def test_sentence_counts(model: DocumentModel) -> None:
    """Hand-counted sentences per part, and the total."""
    assert len(sentence_texts(model, "practical-cooperation-1")) == 3
    assert len(sentence_texts(model, "practical-cooperation-6")) == 3
    assert sentence_texts(model, "milestone-6")[1].startswith("He commends the success")
    assert len(sentence_texts(model, "milestone-6")) == 2
    assert len(sentence_texts(model, "milestone-10")) == 1  # "Dr Ibrahim" has no period
    assert len(sentence_texts(model, "key-point-4")) == 1
    assert len(model.sentences) == 43


def test_milestone_first_sentence_starts_at_date(model: DocumentModel) -> None:
    """A milestone's first sentence begins with its date phrase."""
    first = sentence_texts(model, "milestone-1")
    assert len(first) == 1
    assert first[0].startswith("2004:\u00a0The NATO Training Mission-Iraq")
    assert first[0].endswith("donating equipment.")
    assert sentence_texts(model, "milestone-9")[0].startswith("9 July 2016:\u00a0At the NATO")


def test_sentences_inside_parts(model: DocumentModel) -> None:
    """Every sentence lies within the part it names."""
    for sentence in model.sentences:
        part = model.part(sentence.part)
        assert part.start <= sentence.start < sentence.end <= part.end


def test_sentences_ordered_and_disjoint(model: DocumentModel) -> None:
    """Sentences are numbered from 1, in text order, and do not overlap."""
    assert [s.number for s in model.sentences] == list(range(1, len(model.sentences) + 1))
    for before, after in zip(model.sentences, model.sentences[1:], strict=False):
        assert before.end <= after.start


def test_sentences_trimmed(model: DocumentModel) -> None:
    """No sentence starts or ends with whitespace (NBSP included)."""
    for sentence in model.sentences:
        body = model.text[sentence.start : sentence.end]
        assert body and not body[0].isspace() and not body[-1].isspace()


def test_parts_nest(model: DocumentModel) -> None:
    """Every part lies inside its parent, and parts are trimmed."""
    for part in model.parts:
        body = model.text[part.start : part.end]
        assert body and not body[0].isspace() and not body[-1].isspace()
        assert not body.startswith("•")
        if part.parent is not None:
            parent = model.part(part.parent)
            assert parent.kind == "section"
            assert parent.start <= part.start and part.end <= parent.end


def test_lookup_helpers(model: DocumentModel) -> None:
    """part, leaf_part_at, sentences_overlapping and children answer as documented."""
    with pytest.raises(KeyError, match="no part named 'nope'"):
        model.part("nope")
    with pytest.raises(KeyError):
        model.children("nope")
    milestone = model.part("milestone-6")
    assert model.leaf_part_at(milestone.start + 5, milestone.end) == milestone
    assert model.leaf_part_at(milestone.start, milestone.start) == milestone
    with pytest.raises(ValueError):
        model.leaf_part_at(milestone.start - 3, milestone.end)
    heading = model.part("milestones").heading
    assert heading is not None
    with pytest.raises(ValueError):
        model.leaf_part_at(*heading)
    overlapping = model.sentences_overlapping(milestone.start, milestone.end)
    assert [s.part for s in overlapping] == ["milestone-6", "milestone-6"]
    assert len(model.sentences_overlapping(milestone.start, milestone.start)) == 1
    assert model.sentences_overlapping(milestone.end, milestone.end + 1) == ()
    assert model.children("milestone-1") == ()


def test_abbreviations_constant() -> None:
    """The abbreviation list holds the ones the brief names."""
    assert {"H.E.", "Feb.", "Dr.", "e.g.", "i.e.", "Mr.", "St."} <= ABBREVIATIONS


def test_empty_text_raises() -> None:
    """An empty text is not a page: the error names line 1."""
    with pytest.raises(DocumentShapeError, match="line 1"):
        segment("")


def test_missing_key_points_raises(text: str) -> None:
    """A page without key-point bullets is refused, naming the background heading's line."""
    lines = text.split("\n")
    without = "\n".join(
        line
        for line in lines
        if not line.startswith("  • ")
        or line
        in (
            "  • Last updated: 03 Feb. 2017 14:39",
            "  • Practical cooperation",
            "  • Milestones in relations",
        )
    )
    with pytest.raises(DocumentShapeError, match=r"line \d+: expected the key-point bullets"):
        segment(without)


def test_bad_milestone_raises() -> None:
    """A milestone without a date phrase and colon is refused with its line number."""
    bad = SMALL_PAGE.replace("    2010:\u00a0Talks begin.", "    Talks begin.")
    with pytest.raises(DocumentShapeError, match="line 20: a milestone"):
        segment(bad)


def test_shape_error_is_value_error() -> None:
    """DocumentShapeError is a ValueError."""
    assert issubclass(DocumentShapeError, ValueError)


def test_small_synthetic_page() -> None:
    """A small page of the same shape segments the same way (the code is generic)."""
    model = segment(SMALL_PAGE)
    names = [p.name for p in model.parts]
    assert names == [
        "title",
        "last-updated",
        "lead",
        "caption-1",
        "key-points",
        "key-point-1",
        "key-point-2",
        "background",
        "framework-for-cooperation",
        "framework-for-cooperation-1",
        "milestones",
        "milestone-1",
        "milestone-2",
    ]
    assert part_text(model, "title") == "Relations with Testland"
    assert part_text(model, "last-updated") == "Last updated: 01 Jan. 2020 10:00"
    assert part_text(model, "caption-1") == "A photo caption with Dr. Who"
    assert model.part("framework-for-cooperation-1") == Part(
        "framework-for-cooperation-1",
        "paragraph",
        SMALL_PAGE.index("Cooperation began"),
        SMALL_PAGE.index("It grew.") + len("It grew."),
        "framework-for-cooperation",
    )
    dates = [span_text(model, *p.date_phrase) for p in model.children("milestones")]
    assert dates == ["2010", "3 May 2019"]
    assert sentence_texts(model, "lead") == ["NATO and Testland cooperate.", "They talk often."]
    assert sentence_texts(model, "key-point-2") == ["Mr. Smith visited in 2019.", "It went well!"]
    assert sentence_texts(model, "milestone-2") == [
        "3 May 2019: A visit takes place.",
        "It is a success.",
    ]
    assert model.part("milestones").end == len(SMALL_PAGE.rstrip())
