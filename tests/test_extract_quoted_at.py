"""The build's quote offsets without a search: the same start, or locate_quote's own error."""

from __future__ import annotations

import pytest

from nato_iraq_kg.errors import CheckFailure
from nato_iraq_kg.extract.quoted_at import quote_start
from nato_iraq_kg.source.quotes import locate_quote

TEXT = "NATO trains Iraqi officers. NATO trains Iraqi trainers."


@pytest.mark.parametrize(
    ("quote", "at"),
    [
        ("NATO trains", 0),
        ("NATO trains", 28),
        ("trainers.", 46),
        ("NATO", -1),
        ("NATO trains", 1),
        ("NATO trains", None),
        ("Iraqi officers", None),
        ("absent words", None),
        ("absent words", 3),
        ("s.", 200),
    ],
)
def test_quote_start_is_locate_quote(quote: str, at: int | None) -> None:
    """Right offsets give the same start; wrong or missing ones the same error, word for word."""
    try:
        expected: int | str = locate_quote(TEXT, quote, at, "facts[0]")
    except CheckFailure as error:
        expected = str(error)
        with pytest.raises(CheckFailure) as raised:
            quote_start(TEXT, quote, at, "facts[0]")
        assert str(raised.value) == expected
    else:
        assert quote_start(TEXT, quote, at, "facts[0]") == expected
