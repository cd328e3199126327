"""Split a NATO partner "topic page" into its parts and sentences, with exact offsets.

Every fact in the graph cites a span of the source text, so the spans must index the text exactly
as stored: offsets are Python ``str`` indices (Unicode code points) into the unmodified text and
nothing is ever normalised (bullets, curly quotes, en dashes and no-break spaces stay as they are).

The page shape is read from line structure only, so any partner page of the same shape works:
a title line; a bullet ``• Last updated: ...``; the lead paragraph; zero or more photo caption
lines; the key-point bullets; an unindented heading (``More background information``); then
subsections, each a bullet heading followed by indented paragraphs. A subsection whose heading
starts with "Milestones" holds milestones, each opening with a date phrase and a colon.
Each non-blank line is one unit: the dump puts every paragraph on a single line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError

__all__ = ["ABBREVIATIONS", "DocumentModel", "DocumentShapeError", "Part", "Sentence", "segment"]

#: Tokens ending in "." that do not end a sentence (single capital initials are handled apart).
ABBREVIATIONS: frozenset[str] = frozenset({"H.E.", "Feb.", "Dr.", "e.g.", "i.e.", "Mr.", "St."})

_BULLET = "•"
_CLOSERS = '"”’)'
_OPENERS = "\"“‘'"
_BOUNDARY = re.compile(rf"[.!?][{_CLOSERS}]*(?=\s+(\S))")
_DATE_PHRASE = re.compile(r"[^:\n]{0,40}?\d{4}(?=:)")
_INITIAL = re.compile(r"[A-Z]\.")


class DocumentShapeError(InputError, ValueError):
    """The text does not have the topic-page shape; the message names the offending line."""


@dataclass(frozen=True)
class Part:
    """A structural part of the page; ``start``/``end`` span its content without indentation."""

    name: str
    kind: str
    start: int
    end: int
    parent: str | None
    heading: tuple[int, int] | None = None
    date_phrase: tuple[int, int] | None = None


@dataclass(frozen=True)
class Sentence:
    """A sentence-like unit, numbered from 1 in text order, inside its smallest part."""

    number: int
    start: int
    end: int
    part: str


@dataclass(frozen=True)
class DocumentModel:
    """The segmented page: the exact text, its parts (text order) and its sentences."""

    text: str
    parts: tuple[Part, ...]
    sentences: tuple[Sentence, ...]

    def part(self, name: str) -> Part:
        """Return the part called ``name``, so callers can cite parts by their stable slug."""
        for candidate in self.parts:
            if candidate.name == name:
                return candidate
        known = ", ".join(p.name for p in self.parts)
        raise KeyError(f"no part named {name!r}; known parts: {known}")

    def leaf_part_at(self, start: int, end: int) -> Part:
        """Return the smallest non-section part containing ``[start, end)``, to locate a quote."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"invalid span [{start}, {end}) for a text of {len(self.text)} chars")
        found = [p for p in self.parts if p.kind != "section" and p.start <= start and end <= p.end]
        if not found:
            raise ValueError(f"span [{start}, {end}) lies in no single non-section part")
        return min(found, key=lambda p: p.end - p.start)

    def sentences_overlapping(self, start: int, end: int) -> tuple[Sentence, ...]:
        """Return sentences sharing a character with ``[start, end)``; an empty span is a point."""
        stop = max(end, start + 1)
        return tuple(s for s in self.sentences if s.start < stop and start < s.end)

    def children(self, name: str) -> tuple[Part, ...]:
        """Return the direct children of part ``name`` in text order (KeyError if unknown)."""
        self.part(name)
        return tuple(p for p in self.parts if p.parent == name)


@dataclass(frozen=True)
class _Line:
    """One non-blank line: 1-based number, content span and its layout class."""

    number: int
    start: int
    end: int
    kind: str  # "body" (unindented), "bullet", "subheading" (bullet over indented), "indented"


def _lines(text: str) -> list[_Line]:
    """Classify the non-blank lines by indentation and bullet, the only cues the shape needs."""
    raw: list[tuple[int, int, int, bool, bool]] = []
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        line_end = offset + len(line)
        start = offset
        while start < line_end and text[start].isspace():
            start += 1
        end = line_end
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            indented = start > offset
            bullet = text[start] == _BULLET
            if bullet:
                start += 1
                while start < end and text[start].isspace():
                    start += 1
                if start == end:
                    raise DocumentShapeError(f"line {number}: bullet without text")
            raw.append((number, start, end, indented, bullet))
        offset = line_end + 1
    lines = []
    for i, (number, start, end, indented, bullet) in enumerate(raw):
        after_is_indented = i + 1 < len(raw) and raw[i + 1][3] and not raw[i + 1][4]
        if bullet:
            kind = "subheading" if after_is_indented else "bullet"
        else:
            kind = "indented" if indented else "body"
        lines.append(_Line(number, start, end, kind))
    return lines


def _is_abbreviation(text: str, sentence_start: int, dot: int) -> bool:
    """Tell whether the "." at ``dot`` ends a known abbreviation or an initial, not a sentence."""
    word_start = dot
    while word_start > sentence_start and not text[word_start - 1].isspace():
        word_start -= 1
    token = text[word_start : dot + 1].lstrip("(" + _OPENERS)
    return token in ABBREVIATIONS or _INITIAL.fullmatch(token) is not None


def _split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``[start, end)`` after ., ! or ? followed by space and a capital or opening quote."""
    spans = []
    current = start
    for match in _BOUNDARY.finditer(text, start, end):
        nxt = match.start(1)
        if nxt >= end or not (text[nxt].isupper() or text[nxt] in _OPENERS):
            continue
        if text[match.start()] == "." and _is_abbreviation(text, current, match.start()):
            continue
        spans.append((current, match.end()))
        current = nxt
    spans.append((current, end))
    return spans


def _slug(words: str) -> str:
    """Turn a heading into a stable lowercase slug for part names."""
    return re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")


def segment(text: str) -> DocumentModel:
    """Segment a topic-page text into parts and sentences, or raise :class:`DocumentShapeError`."""
    lines = _lines(text)
    pos = 0

    def describe(i: int) -> tuple[str, str]:
        if i >= len(lines):
            return f"line {text.count(chr(10)) + 1}", "the end of the text"
        return f"line {lines[i].number}", repr(text[lines[i].start : lines[i].end])

    def take(kinds: tuple[str, ...], what: str) -> _Line:
        nonlocal pos
        if pos >= len(lines) or lines[pos].kind not in kinds:
            where, found = describe(pos)
            raise DocumentShapeError(f"{where}: expected {what}, found {found}")
        pos += 1
        return lines[pos - 1]

    def peek(*kinds: str) -> bool:
        return pos < len(lines) and lines[pos].kind in kinds

    parts: list[Part] = []
    units: list[tuple[int, int, str, bool]] = []  # start, end, part name, split into sentences?

    def add(
        name: str, kind: str, line: _Line, parent: str | None = None, split: bool = False
    ) -> None:
        parts.append(Part(name, kind, line.start, line.end, parent))
        units.append((line.start, line.end, name, split))

    add("title", "title", take(("body",), "the page title (an unindented line)"))
    updated = take(("bullet",), "the bullet '• Last updated: ...'")
    if not text.startswith("Last updated:", updated.start):
        raise DocumentShapeError(f"line {updated.number}: expected '• Last updated: ...'")
    add("last-updated", "last-updated", updated)
    add("lead", "lead", take(("body",), "the lead paragraph"), split=True)
    captions = []
    while peek("body"):
        captions.append(take(("body",), "a caption"))
    if not peek("bullet"):
        # Without key points the background heading reads as one more caption: name that line.
        where, found = describe(pos - 1 if captions and peek("subheading") else pos)
        raise DocumentShapeError(f"{where}: expected the key-point bullets before {found}")
    for number, line in enumerate(captions, start=1):
        add(f"caption-{number}", "caption", line)
    points = []
    while peek("bullet"):
        points.append(take(("bullet",), "a key point"))
    parts.append(Part("key-points", "section", points[0].start, points[-1].end, None))
    for number, line in enumerate(points, start=1):
        add(f"key-point-{number}", "key-point", line, parent="key-points", split=True)

    background = take(("body",), "the background heading (e.g. 'More background information')")
    section_index = len(parts)
    units.append((background.start, background.end, "background", False))
    names = {p.name for p in parts} | {"background"}
    while True:
        head = take(("subheading",), "a subsection heading bullet followed by indented paragraphs")
        heading_text = text[head.start : head.end]
        milestones = heading_text.lower().startswith("milestones")
        name = "milestones" if milestones else _slug(heading_text)
        if not name or name in names:
            raise DocumentShapeError(f"line {head.number}: heading gives a bad or repeated name")
        names.add(name)
        head_index = len(parts)
        units.append((head.start, head.end, name, False))
        paragraphs = []
        while peek("indented"):
            paragraphs.append(take(("indented",), "a paragraph"))
        for number, line in enumerate(paragraphs, start=1):
            child = f"milestone-{number}" if milestones else f"{name}-{number}"
            date = None
            if milestones:
                match = _DATE_PHRASE.match(text, line.start, line.end)
                if match is None:
                    raise DocumentShapeError(
                        f"line {line.number}: a milestone must open with a date and a colon"
                    )
                date = match.span()
            kind = "milestone" if milestones else "paragraph"
            parts.append(Part(child, kind, line.start, line.end, name, date_phrase=date))
            units.append((line.start, line.end, child, True))
        last_end = paragraphs[-1].end  # a subheading is always followed by a paragraph
        heading = (head.start, head.end)
        parts.insert(head_index, Part(name, "section", head.start, last_end, "background", heading))
        if pos >= len(lines):
            break
    span = (background.start, background.end)
    parts.insert(section_index, Part("background", "section", span[0], last_end, None, span))

    sentences = []
    for start, end, name, split in units:
        for s_start, s_end in _split_sentences(text, start, end) if split else [(start, end)]:
            sentences.append(Sentence(len(sentences) + 1, s_start, s_end, name))
    return DocumentModel(text, tuple(parts), tuple(sentences))
