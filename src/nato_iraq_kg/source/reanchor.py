"""Find each quote of one revision again in the text of another, or say why it cannot be found.

A quote is anchored by two things that Web Annotation keeps for it: its exact words and its place.
When the page is edited, the place shifts. We diff the two texts once (diff-match-patch: a Myers
diff, cleaned up to word, sentence and blank-line boundaries, the algorithm Hypothesis uses to
re-anchor annotations) and read each quote's fate from that one alignment:

* ``kept``/``moved``: every character of the quote lies in one stretch the diff keeps, so the quote
  is found at its own occurrence, shifted by the edits before it. An equal string elsewhere is
  never taken for it: that string is the image of other words of the old text.
* ``moved`` also when the quote's words were cut and pasted elsewhere (a reordered sentence or
  paragraph, which a diff sees as a deletion and an insertion): an occurrence in inserted text is
  the quote's own only if the words around it there match the quote's old surroundings better
  than those of any other old occurrence of the same words (the role ``prefix``/``suffix`` play).
* ``changed``: the diff keeps at least half of the quote's characters in place, but not all: the
  words were edited; the new span is what now stands there, with a similarity score.
* ``lost``: the quote's words are gone.
* ``ambiguous``: several places qualify equally; a person must choose, the program never guesses.
"""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

from .quotes import occurrences

#: How many characters around a moved occurrence are compared with the quote's old surroundings.
CONTEXT_WINDOW = 200
#: How many characters (the quote's own plus those around it that agree) must match before words
#: in inserted text count as the quote's own, moved: a name of a few letters needs its context.
MIN_MOVED_ANCHOR = 24
#: The share of a quote's characters the diff must keep in place for it to be ``changed``.
MIN_RETAINED = 0.5
#: Seconds the diff may take before it settles for a coarser (still correct) alignment.
DIFF_TIMEOUT = 2.0


class Status(str, enum.Enum):
    """What became of a quote in the other revision."""

    KEPT = "kept"
    MOVED = "moved"
    CHANGED = "changed"
    LOST = "lost"
    AMBIGUOUS = "ambiguous"

    @property
    def needs_review(self) -> bool:
        """Whether a person must look at it before the quote can be used again."""
        return self not in (Status.KEPT, Status.MOVED)


@dataclass(frozen=True)
class Quote:
    """A quote to find: its id (the evidence IRI), its exact words and its old offsets."""

    id: str
    exact: str
    start: int
    end: int


@dataclass(frozen=True)
class Anchoring:
    """Where a quote stands in the other revision, and how sure that is."""

    quote: Quote
    status: Status
    new: tuple[int, int] | None = None
    new_exact: str | None = None
    score: float | None = None
    candidates: tuple[tuple[int, int], ...] = ()

    def as_json(self) -> dict[str, object]:
        """Return the report entry the ``reanchor --format json`` contract names."""
        entry: dict[str, object] = {
            "id": self.quote.id,
            "status": self.status.value,
            "exact": self.quote.exact,
            "old": [self.quote.start, self.quote.end],
            "new": list(self.new) if self.new else None,
            "new_exact": self.new_exact,
            "score": None if self.score is None else round(self.score, 3),
        }
        if self.candidates:
            entry["candidates"] = [list(span) for span in self.candidates]
        return entry


@dataclass(frozen=True)
class _Stretch:
    """One run of the diff: kept (``equal``) or edited, with its span in each text."""

    equal: bool
    old_start: int
    old_end: int
    new_start: int
    new_end: int


#: The units of the first, coarse diff: a word, a run of white space, or one other character.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORD = re.compile(r"\w+")


def _encode(text: str, codes: dict[str, str]) -> str:
    """Write ``text`` as one character per token (the trick dmp's line mode uses for lines)."""
    out = []
    for token in _TOKEN.findall(text):
        if token not in codes:
            codes[token] = chr(0x10000 + len(codes))
        out.append(codes[token])
    return "".join(out)


def text_diff(old: str, new: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Diff two texts word by word, then each replaced run character by character.

    A character diff alone is minimal but not faithful: it happily aligns the ``201`` of a new
    "2017" with the ``201`` of an old "2011" ten words away. Words first keep whole words together;
    the character pass then finds the small edits (’ for ', a no-break space) inside a changed run.
    Returns the (fine, word-level) diffs.
    """
    engine = diff_match_patch()
    engine.Diff_Timeout = DIFF_TIMEOUT
    codes: dict[str, str] = {}
    encoded = engine.diff_main(_encode(old, codes), _encode(new, codes), False)
    engine.diff_cleanupSemantic(encoded)  # on tokens, so that it never splits a word
    tokens = {code: token for token, code in codes.items()}
    coarse = [(op, "".join(tokens[c] for c in text)) for op, text in encoded]
    diffs: list[tuple[int, str]] = []
    deleted = inserted = ""
    for op, text in [*coarse, (0, "")]:
        if op == -1:
            deleted += text
        elif op == 1:
            inserted += text
        else:
            if deleted and inserted:
                fine = engine.diff_main(deleted, inserted, False)
                engine.diff_cleanupSemantic(fine)
                diffs += fine
            elif deleted or inserted:
                diffs.append((-1, deleted) if deleted else (1, inserted))
            deleted = inserted = ""
            if text:
                diffs.append((0, text))
    return diffs, coarse


def _stretches(diffs: Sequence[tuple[int, str]]) -> list[_Stretch]:
    """Turn a diff into kept and edited stretches, each edit run (deleted + inserted) as one."""
    stretches: list[_Stretch] = []
    o = n = deleted = inserted = 0
    for op, text in [*diffs, (0, "")]:
        if op == -1:
            deleted += len(text)
        elif op == 1:
            inserted += len(text)
        else:
            if deleted or inserted:
                stretches.append(_Stretch(False, o, o + deleted, n, n + inserted))
                o, n, deleted, inserted = o + deleted, n + inserted, 0, 0
            if text:
                stretches.append(_Stretch(True, o, o + len(text), n, n + len(text)))
                o, n = o + len(text), n + len(text)
    return stretches


class Alignment:
    """The diff of two texts as stretches, with the position arithmetic the matcher needs."""

    def __init__(self, old: str, new: str) -> None:
        fine, coarse = text_diff(old, new)
        self.old, self.new = old, new
        self.stretches = _stretches(fine)
        self.word_stretches = _stretches(coarse)
        self._old_starts = [s.old_start for s in self.stretches]
        self._new_starts = [s.new_start for s in self.stretches]

    def _at_old(self, position: int) -> _Stretch:
        index = bisect.bisect_right(self._old_starts, position) - 1
        while index > 0 and self.stretches[index].old_start == self.stretches[index].old_end:
            index -= 1  # a pure insertion holds no old character
        return self.stretches[max(index, 0)]

    def kept_image(self, start: int, end: int) -> int | None:
        """Return where ``old[start:end]`` stands in the new text if the diff keeps it whole."""
        stretch = self._at_old(start)
        if stretch.equal and stretch.old_start <= start and end <= stretch.old_end:
            return stretch.new_start + start - stretch.old_start
        return None

    def is_kept_in_new(self, start: int, end: int) -> bool:
        """Whether ``new[start:end]`` lies in one kept stretch: the image of old words."""
        index = bisect.bisect_right(self._new_starts, start) - 1
        for stretch in self.stretches[max(index - 1, 0) : index + 2]:
            if stretch.equal and stretch.new_start <= start and end <= stretch.new_end:
                return True
        return False

    def retained(self, start: int, end: int, *, words: bool = False) -> int:
        """Count the characters of ``old[start:end]`` that the diff keeps in place.

        With ``words``, count only the characters of the words that the word diff keeps whole.
        """
        if words:
            kept = 0
            for match in _WORD.finditer(self.old, start, end):
                a, b = match.span()
                if any(
                    s.equal and s.old_start <= a and b <= s.old_end for s in self.word_stretches
                ):
                    kept += b - a
            return kept
        index = max(bisect.bisect_right(self._old_starts, start) - 1, 0)
        count = 0
        for stretch in self.stretches[index:]:
            if stretch.old_start >= end:
                break
            if stretch.equal:
                count += max(0, min(end, stretch.old_end) - max(start, stretch.old_start))
        return count

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """Map an old span to the new text, widening each end that falls in an edit to cover it."""
        first = self._at_old(start)
        new_start = first.new_start + start - first.old_start if first.equal else first.new_start
        last = self._at_old(max(end - 1, start))
        if last.equal:
            new_end = last.new_start + max(end - 1, start) - last.old_start + 1
        else:
            new_end = last.new_end
        return new_start, max(new_start, new_end)


def similarity(a: str, b: str) -> float:
    """Return 1 - (Levenshtein distance / length of the longer), 1.0 for equal strings."""
    if a == b:
        return 1.0
    engine = diff_match_patch()
    distance = engine.diff_levenshtein(engine.diff_main(a, b, False))
    return 1.0 - distance / max(len(a), len(b))


def _common_suffix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        count += 1
    return count


def _common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


#: Typographic variants that do not make the words around a quote another place.
_VARIANTS = str.maketrans({"\xa0": " ", "’": "'", "‘": "'", "“": '"', "”": '"', "\r": None})


def _context_agreement(alignment: Alignment, old_at: int, new_at: int, length: int) -> int:
    """Count the characters around two equal strings that agree, up to the window on each side.

    Line endings, no-break spaces and curly quotes are compared as their plain forms: a page that
    changes only those has not moved the quote's words anywhere.
    """
    old, new = alignment.old, alignment.new
    left = _common_suffix(
        old[max(0, old_at - CONTEXT_WINDOW) : old_at].translate(_VARIANTS),
        new[max(0, new_at - CONTEXT_WINDOW) : new_at].translate(_VARIANTS),
    )
    right = _common_prefix(
        old[old_at + length : old_at + length + CONTEXT_WINDOW].translate(_VARIANTS),
        new[new_at + length : new_at + length + CONTEXT_WINDOW].translate(_VARIANTS),
    )
    return left + right


def _moved_candidates(alignment: Alignment, quote: Quote) -> tuple[list[int], list[int]]:
    """Return (clear, contested) new offsets where the quote's own words may have moved to.

    Only occurrences outside the diff's kept stretches are considered; each goes to the old
    occurrence (not kept in place) whose surroundings it shares most; a tie is contested.
    """
    length = len(quote.exact)
    new_places = [
        at
        for at in occurrences(alignment.new, quote.exact)
        if not alignment.is_kept_in_new(at, at + length)
    ]
    if not new_places:
        return [], []
    owners = [
        at
        for at in occurrences(alignment.old, quote.exact)
        if alignment.kept_image(at, at + length) is None
    ]
    clear: list[int] = []
    contested: list[int] = []
    for place in new_places:
        ours = _context_agreement(alignment, quote.start, place, length)
        if length + ours < MIN_MOVED_ANCHOR:
            continue
        rivals = [
            _context_agreement(alignment, other, place, length)
            for other in owners
            if other != quote.start
        ]
        best_rival = max(rivals, default=-1)
        if ours > best_rival:
            clear.append(place)
        elif ours == best_rival:
            contested.append(place)
    return clear, contested


def _reworded_in_place(alignment: Alignment, quote: Quote) -> bool:
    """Whether the quote still stands where it stood, with some of its words edited.

    At least half of its words must be kept whole in place (so a deleted paragraph whose date
    happens to share a year with the next one is lost, not changed); a quote of one word (a year)
    counts as reworded when the diff keeps at least half its characters and both its neighbours.
    """
    words = sum(len(m.group()) for m in _WORD.finditer(quote.exact))
    if not words:
        return False
    if len(_WORD.findall(quote.exact)) == 1:
        length = quote.end - quote.start
        chars = alignment.retained(quote.start, quote.end) / length
        before = quote.start == 0 or alignment.retained(quote.start - 1, quote.start) == 1
        after = quote.end == len(alignment.old) or alignment.retained(quote.end, quote.end + 1) == 1
        return chars >= MIN_RETAINED and before and after
    kept = alignment.retained(quote.start, quote.end, words=True)
    return kept / words >= MIN_RETAINED


def anchor_quote(alignment: Alignment, quote: Quote) -> Anchoring:
    """Decide what became of one quote (see the module's docstring for the rules)."""
    length = quote.end - quote.start
    image = alignment.kept_image(quote.start, quote.end)
    if image is not None:
        status = Status.KEPT if image == quote.start else Status.MOVED
        return Anchoring(quote, status, (image, image + length), quote.exact, 1.0)
    clear, contested = _moved_candidates(alignment, quote)
    if len(clear) == 1 and not contested:
        at = clear[0]
        status = Status.KEPT if at == quote.start else Status.MOVED
        return Anchoring(quote, status, (at, at + length), quote.exact, 1.0)
    if clear or contested:
        spans = tuple((at, at + length) for at in sorted(clear + contested))
        return Anchoring(quote, Status.AMBIGUOUS, candidates=spans)
    if _reworded_in_place(alignment, quote):
        start, end = alignment.map_span(quote.start, quote.end)
        words = alignment.new[start:end]
        if words:
            return Anchoring(
                quote, Status.CHANGED, (start, end), words, similarity(quote.exact, words)
            )
    return Anchoring(quote, Status.LOST)


def reanchor(old: str, new: str, quotes: Iterable[Quote]) -> list[Anchoring]:
    """Find every quote of ``old`` in ``new``; one diff serves them all."""
    alignment = Alignment(old, new)
    return [anchor_quote(alignment, quote) for quote in quotes]


def counts(anchorings: Sequence[Anchoring]) -> dict[str, int]:
    """Count the anchorings by status, every status named (zero included)."""
    result = {status.value: 0 for status in Status}
    for item in anchorings:
        result[item.status.value] += 1
    return result
