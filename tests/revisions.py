"""A seeded generator of plausible later revisions of the real page, with the truth about each span.

Only the 3 Feb 2017 revision is real; every other revision the tests use is made here, in memory,
from its text, and never written into ``data/``. An edit is applied to the *original* offsets of
untouched text, and the new text is kept as pieces, each either a run of the original (with its
original offset) or new words. So the generator knows, for any span of the original, whether it
survives intact (and where it now starts), was deleted outright, or was touched.

The edits are those a web editor makes: insert, delete, reword and reorder sentences; reorder
paragraphs; add or drop a milestone; change a date; and the silent ones, ’ for ' (and back),
no-break spaces for spaces, and CRLF line endings.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from nato_iraq_kg.source.document import DocumentModel, segment

#: New sentences an editor might add; they name NATO and Iraq, as real additions would.
NEW_SENTENCES = (
    "NATO and Iraq held further staff talks in Baghdad.",
    "Allies welcomed the progress made by Iraq in this area.",
    "The Iraqi side presented its priorities for the coming year.",
    "Further courses are planned, subject to the security situation.",
    "NATO continues to coordinate closely with the international community.",
)
NEW_WORDS = ("notably", "several", "regional", "further", "broad", "new", "joint", "senior")
NEW_MILESTONES = (
    "14 February 2017:\xa0 NATO and Iraq hold staff talks on the next phase of training.",
    "2 March 2017:\xa0 Allies review the progress of the in-country training.",
)
KINDS = (
    "delete-sentence",
    "insert-sentence",
    "reword",
    "reorder-sentences",
    "reorder-paragraphs",
    "add-milestone",
    "drop-milestone",
    "change-date",
    "swap-apostrophes",
    "swap-spaces",
    "crlf",
)

Span = tuple[int, int]


@dataclass
class _Piece:
    old: int | None  # offset in the original text, None for new words
    text: str


@dataclass
class Revision:
    """A generated revision: its text, the edits made, and the pieces that make it up."""

    seed: int
    text: str
    edits: list[str]
    pieces: list[_Piece] = field(repr=False)
    replaced: list[Span] = field(repr=False, default_factory=list)

    def fate(self, start: int, end: int) -> tuple[str, int | None]:
        """Return ("survived", new start), ("deleted", None) or ("touched", None) for a span.

        A span wholly replaced by new words (a reworded name, a changed year) counts as touched:
        something now stands in its place. Deleted means its words are gone with nothing instead.
        """
        position = 0
        present = 0
        for piece in self.pieces:
            if piece.old is not None:
                old_end = piece.old + len(piece.text)
                if piece.old <= start and end <= old_end:
                    return "survived", position + start - piece.old
                present += max(0, min(end, old_end) - max(start, piece.old))
            position += len(piece.text)
        if present or any(a <= start and end <= b for a, b in self.replaced):
            return "touched", None
        return "deleted", None


class _Editor:
    """Edits the original text by its own offsets, never twice in one place."""

    def __init__(self, text: str) -> None:
        self.original = text
        self.pieces = [_Piece(0, text)]
        self.touched: list[Span] = []
        self.replaced: list[Span] = []

    def _split(self, at: int) -> int | None:
        """Make a piece start at original offset ``at``; return its index (None: ``at`` is gone)."""
        for index, piece in enumerate(self.pieces):
            if piece.old is None or not piece.old <= at < piece.old + len(piece.text):
                continue
            if piece.old == at:
                return index
            cut = at - piece.old
            self.pieces[index : index + 1] = [
                _Piece(piece.old, piece.text[:cut]),
                _Piece(at, piece.text[cut:]),
            ]
            return index + 1
        for index, piece in enumerate(self.pieces):
            if piece.old is not None and piece.old + len(piece.text) == at:
                return index + 1
        return None

    def _take(self, start: int, end: int) -> tuple[int, list[_Piece]]:
        self._split(end)
        first = self._split(start)
        assert first is not None
        taken: list[_Piece] = []
        while first < len(self.pieces):
            piece = self.pieces[first]
            if piece.old is None or piece.old >= end:
                break
            taken.append(self.pieces.pop(first))
        return first, taken

    def replace(self, start: int, end: int, words: str) -> None:
        """Replace original ``[start, end)`` by new words (an empty string deletes)."""
        index, _ = self._take(start, end)
        if words:
            self.pieces.insert(index, _Piece(None, words))
            self.replaced.append((start, end))
        self.touched.append((start, end))

    def insert(self, at: int, words: str) -> None:
        """Insert new words before original offset ``at``."""
        index = self._split(at) if at < len(self.original) else len(self.pieces)
        assert index is not None
        self.pieces.insert(index, _Piece(None, words))
        self.touched.append((at, at))

    def move(self, start: int, end: int, to: int) -> None:
        """Cut original ``[start, end)`` and paste it before original offset ``to``."""
        _, taken = self._take(start, end)
        index = self._split(to)
        assert index is not None
        self.pieces[index:index] = taken
        self.touched += [(start, end), (to, to)]

    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)


def _untouched(editor: _Editor, start: int, end: int) -> bool:
    for a, b in editor.touched:
        if start == end and a <= start <= b:
            return False
        if a == b and start <= a <= end:
            return False
        if start < b and a < end:
            return False
    return True


def _sentences_by_paragraph(model: DocumentModel) -> dict[str, list[Span]]:
    grouped: dict[str, list[Span]] = {}
    for sentence in model.sentences:
        grouped.setdefault(sentence.part, []).append((sentence.start, sentence.end))
    return grouped


def _line_span(text: str, start: int, end: int) -> Span:
    """Return the whole line of a part with its indentation and the blank line after it."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if line_end < 0:
        return line_start, len(text)
    while line_end < len(text) and text[line_end] == "\n":
        line_end += 1
    return line_start, line_end


def _edit(editor: _Editor, model: DocumentModel, kind: str, rng: random.Random) -> str | None:
    """Make one edit of ``kind`` somewhere untouched; return what it did, or None."""
    text = editor.original
    sentences = [(s.start, s.end) for s in model.sentences if s.part not in ("title",)]
    paragraphs = [p for p in model.parts if p.kind in ("paragraph", "key-point", "milestone")]
    if kind == "delete-sentence":
        start, end = rng.choice(sentences)
        if end < len(text) and text[end] == " ":
            end += 1
        if _untouched(editor, start, end):
            editor.replace(start, end, "")
            return f"deleted sentence at {start}"
    elif kind == "insert-sentence":
        _, end = rng.choice(sentences)
        if _untouched(editor, end, end):
            editor.insert(end, " " + rng.choice(NEW_SENTENCES))
            return f"inserted a sentence at {end}"
    elif kind == "reword":
        start, end = rng.choice(sentences)
        words = [m.span() for m in re.finditer(r"[A-Za-z]{4,}", text[start:end])]
        if words:
            a, b = rng.choice(words)
            new = rng.choice([w for w in NEW_WORDS if w != text[start + a : start + b]])
            if _untouched(editor, start + a, start + b):
                editor.replace(start + a, start + b, new)
                return f"reworded {text[start + a : start + b]!r} at {start + a}"
    elif kind == "reorder-sentences":
        grouped = [spans for spans in _sentences_by_paragraph(model).values() if len(spans) > 1]
        spans = rng.choice(grouped)
        i = rng.randrange(len(spans) - 1)
        (a1, b1), (a2, b2) = spans[i], spans[i + 1]
        if _untouched(editor, a1, b2):
            editor.move(a2, b2, a1)  # "A B" becomes "B A": B, a space, A, the rest
            editor.replace(b1, a2, "")
            editor.insert(a1, " ")
            return f"moved sentence at {a2} before {a1}"
    elif kind == "reorder-paragraphs":
        siblings = [p for p in paragraphs if p.kind != "milestone"]
        first = rng.randrange(len(siblings) - 1)
        one, two = siblings[first], siblings[first + 1]
        if one.parent == two.parent:
            a1, _ = _line_span(text, one.start, one.end)
            a2, b2 = _line_span(text, two.start, two.end)
            if b2 > a2 and _untouched(editor, a1, b2):
                editor.move(a2, b2, a1)
                return f"moved paragraph {two.name} before {one.name}"
    elif kind == "add-milestone":
        milestones = [p for p in paragraphs if p.kind == "milestone"]
        after = rng.choice(milestones)
        _, end = _line_span(text, after.start, after.end)
        if _untouched(editor, end, end):
            words = "    " + rng.choice(NEW_MILESTONES)
            editor.insert(end, words + "\n\n" if end < len(text) else "\n\n" + words)
            return f"added a milestone after {after.name}"
    elif kind == "drop-milestone":
        milestone = rng.choice([p for p in paragraphs if p.kind == "milestone"])
        start, end = _line_span(text, milestone.start, milestone.end)
        if _untouched(editor, start, end):
            editor.replace(start, end, "")
            return f"dropped {milestone.name}"
    elif kind == "change-date":
        years = [m.span() for m in re.finditer(r"\b20[01]\d\b", text)]
        a, b = rng.choice(years)
        if _untouched(editor, a, b):
            year = int(text[a:b])
            editor.replace(a, b, str(year + rng.choice((-1, 1))))
            return f"changed the year at {a}"
    else:
        old, new = {
            "swap-apostrophes": ("’", "'"),
            "swap-spaces": ("\xa0", " "),
            "crlf": ("\n", "\r\n"),
        }[kind]
        if kind == "swap-apostrophes" and rng.random() < 0.3:
            old, new = "'", "’"
        places = [m.start() for m in re.finditer(re.escape(old), text)]
        share = rng.choice((0.3, 1.0))
        done = 0
        for at in places:
            if rng.random() <= share and _untouched(editor, at, at + 1):
                editor.replace(at, at + 1, new)
                done += 1
        return f"{kind}: {done} of {len(places)}" if done else None
    return None


def generate(text: str, seed: int, edits: int | None = None) -> Revision:
    """Make a revision of ``text`` with a few seeded edits (1 to 6 unless ``edits`` says)."""
    rng = random.Random(seed)
    model = segment(text)
    editor = _Editor(text)
    wanted = edits if edits is not None else rng.randint(1, 6)
    done: list[str] = []
    for _ in range(wanted * 4):
        if len(done) >= wanted:
            break
        kind = rng.choice(KINDS)
        what = _edit(editor, model, kind, rng)
        if what:
            done.append(f"{kind} ({what})")
    return Revision(seed, editor.text(), done, editor.pieces, editor.replaced)
