"""What an Oxigraph store cannot show about the literals it was given, noted while they go in.

Oxigraph keeps numbers, dates and booleans by value: ``"5"^^xsd:nonNegativeInteger`` comes back
as ``"5"^^xsd:integer``, ``"05"^^xsd:integer`` as ``"5"``, ``xsd:dateTimeStamp`` as
``xsd:dateTime``. A SHACL check run on the store alone would then see another datatype (a false
``sh:datatype`` violation, or a missed one) or another term (``sh:in``, ``sh:equals``, counts of
distinct values). And a literal whose text does not fit its datatype (``"abc"^^xsd:integer``) is
kept as it is, but compared differently by each engine.

So while the data goes into the store, every typed literal's subject, predicate and original form
is noted; then each distinct literal is put through a scratch store once to see what Oxigraph
makes of it, and through rdflib to see whether pySHACL would find it ill-typed. The ledger keeps
only the (subject, predicate) pairs that need care, which :mod:`.screen` adds to its candidates.
On our data that is the offsets (typed ``xsd:nonNegativeInteger``): their datatype changes in the
store, their text does not.
"""

from __future__ import annotations

import queue
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph

__all__ = [
    "AMBIGUOUS",
    "STORED_AS",
    "Ledger",
    "LedgerBuilder",
    "TypedLiteralLines",
    "TypedLiteralNotes",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
_UNTYPED = frozenset({XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"})

Pair = tuple[str, str]
#: How Oxigraph stores a datatype (integer subtypes as xsd:integer).
STORED_AS = {
    XSD + name: XSD + "integer"
    for name in [
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
    ]
} | {XSD + "dateTimeStamp": XSD + "dateTime"}
#: Datatypes that share their stored type with another: the store cannot tell them apart.
AMBIGUOUS = frozenset(STORED_AS) | frozenset(STORED_AS.values())


@dataclass
class Ledger:
    """The (subject, predicate) pairs, as N-Triples text, whose literals the store misreports.

    Attributes:
        datatypes: Pairs with a literal whose datatype or text the store changed, or whose
            datatype shares its stored type with another (``xsd:integer`` and its subtypes),
            and the original datatypes of those literals.
        ill_typed: Pairs with a literal whose text does not fit its datatype.
        collapsed: Pairs where two different literals became one term in the store (a count of
            distinct values would differ).
        text_changed: True if any literal's text changed (``"1.50"`` to ``"1.5"``): then checks
            that read a literal's text cannot be trusted on the store at all.
    """

    datatypes: dict[Pair, frozenset[str]] = field(default_factory=dict)
    ill_typed: set[Pair] = field(default_factory=set)
    collapsed: set[Pair] = field(default_factory=set)
    text_changed: bool = False
    _predicates: set[str] | None = field(default=None, repr=False, compare=False)
    _by_predicate: dict[str, list[tuple[str, frozenset[str]]]] | None = field(
        default=None, repr=False, compare=False
    )

    def predicates(self) -> set[str]:
        """Return every predicate that has a pair in the ledger."""
        if self._predicates is None:
            pairs = (*self.datatypes, *self.ill_typed, *self.collapsed)
            self._predicates = {p for _, p in pairs}
        return self._predicates

    def changed_on(self, predicate: str) -> list[tuple[str, frozenset[str]]]:
        """Return the (subject, original datatypes) of the changed literals of one predicate."""
        if self._by_predicate is None:
            self._by_predicate = defaultdict(list)
            for (s, p), types in self.datatypes.items():
                self._by_predicate[p].append((s, types))
        return self._by_predicate.get(predicate, [])


class LedgerBuilder:
    """Collects typed literals as quads stream into a store, then works out the ledger once."""

    def __init__(self) -> None:
        self._seen: dict[Pair, set[tuple[str, str]]] = defaultdict(set)

    def note(self, quad: Any) -> None:
        """Note one pyoxigraph quad (only typed literals other than strings are kept)."""
        value = quad.object
        if value.__class__ is pyoxigraph.Literal:
            datatype = value.datatype.value
            if datatype not in _UNTYPED:
                self._seen[str(quad.subject), str(quad.predicate)].add((value.value, datatype))

    def note_terms(self, subject: str, predicate: str, text: str, datatype: str) -> None:
        """Note one typed literal given as strings (subject and predicate as N-Triples)."""
        if datatype not in _UNTYPED:
            self._seen[subject, predicate].add((text, datatype))

    def finish(self) -> Ledger:
        """Return the ledger: each distinct literal is checked once, however often it is used.

        What each distinct literal does (changed in the store, text changed, ill-typed) is
        worked out once; the pairs then only look their literals up. Most pairs hold one
        literal (an offset, a date), and at a million quads there are about 90,000 of them.
        """
        distinct: set[tuple[str, str]] = set().union(*self._seen.values())
        stored = _as_stored(distinct)
        ill = {literal for literal in distinct if _ill_typed(*literal)}
        changes = {lit for lit in distinct if stored[lit] != lit or lit[1] in AMBIGUOUS}
        text_changes = {lit for lit in changes if stored[lit][0] != lit[0]}
        one_type: dict[str, frozenset[str]] = {}  # a frozenset per datatype, shared
        ledger = Ledger()
        for pair, literals in self._seen.items():
            if len(literals) == 1:
                (literal,) = literals
                if literal in changes:
                    datatype = literal[1]
                    types = one_type.get(datatype)
                    if types is None:
                        types = one_type[datatype] = frozenset((datatype,))
                    ledger.datatypes[pair] = types
                    ledger.text_changed |= literal in text_changes
                if literal in ill:
                    ledger.ill_typed.add(pair)
                continue
            changed = literals & changes
            if changed:
                ledger.datatypes[pair] = frozenset(datatype for _, datatype in changed)
                ledger.text_changed |= not changed.isdisjoint(text_changes)
                if len({stored[literal] for literal in literals}) < len(literals):
                    ledger.collapsed.add(pair)
            if not literals.isdisjoint(ill):
                ledger.ill_typed.add(pair)
        return ledger


def _as_stored(literals: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """Return, for each (text, datatype), the text and datatype Oxigraph gives back."""
    store = pyoxigraph.Store()
    predicate = pyoxigraph.NamedNode("urn:nato-iraq-kg:ledger")
    order = sorted(literals)
    store.extend(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode(f"urn:nato-iraq-kg:ledger:{number}"),
            predicate,
            pyoxigraph.Literal(text, datatype=pyoxigraph.NamedNode(datatype)),
        )
        for number, (text, datatype) in enumerate(order)
    )
    back: dict[tuple[str, str], tuple[str, str]] = {}
    for quad in store:
        number = int(quad.subject.value.rsplit(":", 1)[1])
        back[order[number]] = (quad.object.value, quad.object.datatype.value)
    return back


def _ill_typed(text: str, datatype: str) -> bool:
    """Return True if pySHACL finds this literal ill-typed, as its ``sh:datatype`` check does.

    That is rdflib's ``ill_typed`` flag, or for the seven types whose Python value it checks, a
    value of another type.
    """
    from datetime import date, datetime, time
    from decimal import Decimal

    from rdflib import Literal, URIRef

    literal = Literal(text, datatype=URIRef(datatype))
    if literal.ill_typed is True:
        return True
    expected = _VALUE_TYPES.get(datatype.removeprefix(XSD)) if datatype.startswith(XSD) else None
    if expected is None:
        return False
    classes = {"date": date, "time": time, "dateTime": datetime, "decimal": Decimal}
    wanted = classes.get(expected) or {"int": int, "float": float, "bool": bool}[expected]
    return not isinstance(literal.value, wanted)


#: The XSD types whose Python value pySHACL's ``sh:datatype`` check inspects, and its kind.
_VALUE_TYPES = {
    "integer": "int",
    "float": "float",
    "decimal": "decimal",
    "boolean": "bool",
    "date": "date",
    "time": "time",
    "dateTime": "dateTime",
}


class TypedLiteralLines:
    """Keeps the lines of N-Triples or N-Quads text that hold a typed literal, as they stream by.

    A bulk load into Oxigraph makes no Python object per quad, so the ledger cannot see the
    literals go in; but in these formats a typed literal is always written ``"..."^^<IRI>`` on
    its statement's line. Only those lines are parsed again, for :meth:`LedgerBuilder.note`.
    """

    def __init__(self) -> None:
        self._tail = b""
        self._lines: list[bytes] = []

    def __call__(self, chunk: bytes) -> None:
        """Take the next chunk of the text.

        Each ``"^^<`` is found with ``bytes.find`` and its line cut out around it: a regular
        expression tried at every line start costs seconds at a million lines.
        """
        data = self._tail + chunk
        cut = data.rfind(b"\n") + 1
        self._tail = data[cut:]
        at = data.find(b'"^^<', 0, cut)
        while at >= 0:
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at) + 1  # found: the text up to ``cut`` ends with a newline
            self._lines.append(data[start:end])
            at = data.find(b'"^^<', end, cut)

    def note_into(self, builder: LedgerBuilder, fmt: str) -> None:
        """Parse the kept lines and note their literals in ``builder``."""
        text = b"".join(self._lines) + self._tail + b"\n"
        for quad in pyoxigraph.parse(text, format=getattr(pyoxigraph.RdfFormat, fmt)):
            builder.note(quad)

    def note_kept_into(self, builder: LedgerBuilder, fmt: str) -> None:
        """Parse the whole lines kept so far, note their literals, and forget them.

        (The unfinished last line stays for the next chunk; :meth:`note_into` ends.)
        """
        if self._lines:
            text = b"".join(self._lines)
            self._lines = []
            for quad in pyoxigraph.parse(text, format=getattr(pyoxigraph.RdfFormat, fmt)):
                builder.note(quad)


class TypedLiteralNotes:
    """A tap that notes the typed literals of streaming N-Triples or N-Quads in a thread of its own.

    Oxigraph's bulk load lets go of Python's lock while it parses, so the lines with a typed
    literal can be found, parsed again and noted meanwhile, on the machine's other core, rather
    than after the load (about 1 s of a million quads' load, on the critical path before).
    Chunks wait in a bounded queue: the tap never holds more than ``_QUEUED`` of them.
    """

    def __init__(self, builder: LedgerBuilder, fmt: str) -> None:
        self._builder = builder
        self._fmt = fmt
        self._lines = TypedLiteralLines()
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUED)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="typed literals", daemon=True)
        self._thread.start()

    def __call__(self, chunk: bytes) -> None:
        """Take the next chunk of the text (handed to the thread)."""
        self._queue.put(chunk)

    def _work(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is None:  # after an error, only drain the queue
                try:
                    self._lines(chunk)
                    self._lines.note_kept_into(self._builder, self._fmt)
                except BaseException as error:  # raised by finish(), in the caller's thread
                    self._error = error

    def finish(self) -> None:
        """Wait for the chunks taken so far, then note the last line (call once, at the end)."""
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        self._lines.note_into(self._builder, self._fmt)

    def stop(self) -> None:
        """End the thread without noting more (the load failed: the ledger will not be used)."""
        self._error = self._error or RuntimeError("stopped")
        self._queue.put(None)
        self._thread.join()


#: Chunks (1 MiB each, as the loader reads them) that may wait for the noting thread.
_QUEUED = 64
