"""The checked start of a curated quote, found without a search when its offset is right.

:func:`nato_iraq_kg.source.quotes.locate_quote` lists every occurrence of the quote (a regular
expression compiled for each one) before it compares the text at the curator's offset, because
its error messages name them. A build of a correct curation never shows those messages: when
the text at the offset is the quote, that offset is the answer, and only a wrong or missing
offset goes to ``locate_quote`` for its checks and its message.
"""

from __future__ import annotations

from ..source.quotes import locate_quote


def quote_start(text: str, quote: str, at: int | None, where: str) -> int:
    """Return what ``locate_quote(text, quote, at, where)`` returns, or raise what it raises."""
    if at is not None and at >= 0 and text[at : at + len(quote)] == quote:
        return at
    return locate_quote(text, quote, at, where)
