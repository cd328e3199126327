"""The literal ledger: what the store misreports, worked out once per distinct literal."""

from __future__ import annotations

import pytest

from nato_iraq_kg.check.literal_ledger import AMBIGUOUS, Ledger, LedgerBuilder, _as_stored

XSD = "http://www.w3.org/2001/XMLSchema#"

#: (subject, predicate, text, datatype): pairs with one literal and with several, each kind of
#: literal the ledger tells apart (changed type, changed text, ill-typed, unchanged, collapsed).
NOTES = [
    ("<a>", "<start>", "12", XSD + "nonNegativeInteger"),  # one literal, type changes
    ("<b>", "<start>", "7", XSD + "integer"),  # one literal, ambiguous type, unchanged
    ("<c>", "<when>", "2016-03-01", XSD + "date"),  # one literal, nothing changes
    ("<d>", "<count>", "05", XSD + "integer"),  # one literal, text changes
    ("<e>", "<count>", "abc", XSD + "integer"),  # one literal, ill-typed
    ("<f>", "<year>", "2016", XSD + "gYear"),  # one literal, nothing changes
    ("<g>", "<count>", "05", XSD + "integer"),  # two literals that become one term
    ("<g>", "<count>", "5", XSD + "integer"),
    ("<h>", "<when>", "2016-03-01", XSD + "date"),  # two, one ill-typed
    ("<h>", "<when>", "2016-13-01", XSD + "date"),
    ("<i>", "<start>", "1", XSD + "nonNegativeInteger"),  # two, both change type
    ("<i>", "<start>", "2", XSD + "positiveInteger"),
    ("<j>", "<size>", "1.50", XSD + "decimal"),  # two, one changes text
    ("<j>", "<size>", "2.5", XSD + "decimal"),
    ("<k>", "<label>", "plain", XSD + "string"),  # not a typed literal: not noted
]


def _by_definition(builder: LedgerBuilder) -> Ledger:
    """Return the ledger worked out pair by pair, straight from its definition."""
    from nato_iraq_kg.check.literal_ledger import _ill_typed

    seen = builder._seen
    stored = _as_stored({literal for literals in seen.values() for literal in literals})
    ledger = Ledger()
    for pair, literals in seen.items():
        changed = {lit for lit in literals if stored[lit] != lit or lit[1] in AMBIGUOUS}
        if changed:
            ledger.datatypes[pair] = frozenset(datatype for _, datatype in changed)
            ledger.text_changed |= any(stored[lit][0] != lit[0] for lit in changed)
            if len({stored[literal] for literal in literals}) < len(literals):
                ledger.collapsed.add(pair)
        if any(_ill_typed(*literal) for literal in literals):
            ledger.ill_typed.add(pair)
    return ledger


def _fields(ledger: Ledger) -> tuple[object, ...]:
    return ledger.datatypes, ledger.ill_typed, ledger.collapsed, ledger.text_changed


@pytest.mark.parametrize("count", range(1, len(NOTES) + 1))
def test_finish_gives_the_ledger_of_its_definition(count: int) -> None:
    """Every prefix of the notes (one-literal pairs and others) gives the defined ledger."""
    builder = LedgerBuilder()
    for note in NOTES[:count]:
        builder.note_terms(*note)
    assert _fields(builder.finish()) == _fields(_by_definition(builder))


def test_finish_reads_each_kind_of_literal() -> None:
    """The one-literal pairs are told apart as the definition says (not all alike)."""
    builder = LedgerBuilder()
    for note in NOTES:
        builder.note_terms(*note)
    ledger = builder.finish()
    assert ledger.datatypes[("<a>", "<start>")] == {XSD + "nonNegativeInteger"}
    assert ledger.datatypes[("<b>", "<start>")] == {XSD + "integer"}
    assert ("<c>", "<when>") not in ledger.datatypes
    assert ("<f>", "<year>") not in ledger.datatypes
    assert ("<e>", "<count>") in ledger.ill_typed and ("<h>", "<when>") in ledger.ill_typed
    assert ("<a>", "<start>") not in ledger.ill_typed
    assert ledger.collapsed == {("<g>", "<count>")}
    assert ledger.datatypes[("<i>", "<start>")] == {
        XSD + "nonNegativeInteger",
        XSD + "positiveInteger",
    }
    assert ledger.text_changed


def test_text_changed_by_one_lone_literal() -> None:
    """A single literal whose text the store rewrites ("05" to "5") marks the ledger."""
    builder = LedgerBuilder()
    builder.note_terms("<a>", "<count>", "7", XSD + "integer")
    assert not builder.finish().text_changed
    builder.note_terms("<d>", "<count>", "05", XSD + "integer")
    assert builder.finish().text_changed


def test_empty_builder_gives_an_empty_ledger() -> None:
    """No typed literal at all: nothing in the ledger."""
    assert _fields(LedgerBuilder().finish()) == ({}, set(), set(), False)
