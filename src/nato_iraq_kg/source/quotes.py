"""Finding a quote in a source text: every occurrence, or the checked offset a curator gave."""

from __future__ import annotations

import re

from ..errors import CheckFailure


def occurrences(text: str, words: str) -> list[int]:
    """Return every offset where ``words`` occurs in ``text``."""
    return [match.start() for match in re.finditer(re.escape(words), text)]


def locate_quote(text: str, quote: str, at: int | None, where: str) -> int:
    """Return the checked start offset of ``quote``, or fail naming the entry and the fix."""
    found = occurrences(text, quote)
    if at is None:
        if not found:
            raise CheckFailure(f"{where}: quote not found in the text: {quote!r}")
        if len(found) == 1:
            raise CheckFailure(
                f"{where}: no 'at' offset; the quote occurs once, at {found[0]} "
                "('nato-iraq-kg curate fill-offsets' fills it in)"
            )
        raise CheckFailure(
            f"{where}: no 'at' offset; the quote occurs {len(found)} times, at {found}: "
            "write the right one as 'at:' by hand"
        )
    actual = text[at : at + len(quote)]
    if actual != quote:
        hint = f"; it occurs at {found}" if found else "; it does not occur in the text at all"
        raise CheckFailure(
            f"{where}: quote does not match the text at offset {at} "
            f"(the text there reads {actual!r}){hint}"
        )
    return at


def first_occurrence(text: str, words: str, where: str) -> int:
    """Return the first offset of ``words``, which must occur in the text."""
    start = text.find(words)
    if start < 0:
        raise CheckFailure(f"{where}: {words!r} does not occur in the text")
    return start
