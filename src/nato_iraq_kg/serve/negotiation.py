"""HTTP content negotiation: pick the media type we offer that the client's ``Accept`` ranks best.

Written by hand rather than pulled from a framework because the rules matter for linked data: a
``q=0`` must exclude a type (RFC 9110 §12.4.2), a more specific range must override a wildcard
(``text/html;q=0`` beats ``*/*``), and ties must go to the server's order of preference so that
Turtle, not HTML, is what a client that accepts anything gets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header: ``type/subtype`` (either may be ``*``) and its q-value."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """Return how precisely this range names ``media_type``: 2 exact, 1 ``type/*``, 0 ``*/*``.

        Returns -1 when the range does not cover the type, so the caller can skip it.
        """
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != main:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def _q_value(text: str) -> float:
    """Return a q-value clamped to [0, 1]; a malformed one counts as 0 so it never wins."""
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return min(max(value, 0.0), 1.0)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an ``Accept`` header into media ranges; an absent or empty header accepts anything.

    Parameters other than ``q`` (such as ``charset`` or ``profile``) are ignored: we never offer two
    variants that differ only by a parameter, so they cannot change the choice.
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for part in header.split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        main, slash, sub = media.partition("/")
        if not slash:
            # "*" alone is sent by some old clients; treat it as */*. Anything else is garbage.
            if media != "*":
                continue
            main, sub = "*", "*"
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                q = _q_value(value.strip())
        ranges.append(MediaRange(main.strip(), sub.strip(), q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """Return the q-value the client gives ``media_type``: that of the most specific range."""
    best_specificity, best_q = -1, 0.0
    for media_range in ranges:
        specificity = media_range.specificity(media_type)
        if specificity > best_specificity or (
            specificity == best_specificity and media_range.q > best_q
        ):
            best_specificity, best_q = specificity, media_range.q
    return best_q if best_specificity >= 0 else 0.0


def best_match(accept: str | None, offers: Sequence[str]) -> str | None:
    """Return the offered media type the client prefers, or None when it accepts none of them.

    ``offers`` are in the server's order of preference, which breaks ties between equal q-values.
    """
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer.lower())
        if q > best_q:
            best, best_q = offer, q
    return best
