"""SPARQL answers as comparable values (for the tests): rows as multisets, booleans, graphs.

Expected answers are written by hand in the W3C formats (CSV for SELECT, SPARQL JSON for ASK,
Turtle for CONSTRUCT); answers from the embedded store and from any endpoint are read into the
same shape, so a test compares them as multisets, never as text.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.compare import to_isomorphic

from nato_iraq_kg.errors import InputError


@dataclass(frozen=True)
class Answer:
    """A comparable answer: a multiset of rows keyed by variable, a boolean, or a graph."""

    kind: str  # "select" | "ask" | "graph"
    variables: tuple[str, ...] = ()
    rows: Counter[tuple[str, ...]] | None = None
    boolean: bool | None = None
    graph: Graph | None = None

    def same_as(self, other: Answer) -> bool:
        """Compare as SPARQL answers: rows as multisets (column order free), graphs isomorphic."""
        if self.kind != other.kind:
            return False
        if self.kind == "ask":
            return self.boolean == other.boolean
        if self.kind == "graph":
            assert self.graph is not None and other.graph is not None
            return to_isomorphic(self.graph) == to_isomorphic(other.graph)
        if set(self.variables) != set(other.variables):
            return False
        order = [other.variables.index(v) for v in self.variables]
        assert self.rows is not None and other.rows is not None
        reordered = Counter({tuple(r[i] for i in order): n for r, n in other.rows.items()})
        return self.rows == reordered


def answer_from_csv(data: bytes | str) -> Answer:
    """Read W3C SPARQL CSV results (header of variable names, values as plain text)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise InputError("empty CSV answer (no header)") from exc
    rows = Counter(tuple(row) for row in reader if row)
    return Answer("select", tuple(header), rows)


def answer_from_json(data: bytes | str) -> Answer:
    """Read W3C SPARQL JSON results into the same shape as CSV (values as plain text)."""
    document = json.loads(data)
    if "boolean" in document:
        return Answer("ask", boolean=bool(document["boolean"]))
    variables = tuple(document["head"]["vars"])
    rows = Counter(
        tuple(binding.get(v, {}).get("value", "") for v in variables)
        for binding in document["results"]["bindings"]
    )
    return Answer("select", variables, rows)


def answer_from_file(path: Path) -> Answer:
    """Read an expected answer written by hand: ``.csv``, ``.srj`` or ``.ttl``."""
    suffix = path.suffix
    data = path.read_bytes()
    if suffix == ".csv":
        return answer_from_csv(data)
    if suffix == ".srj":
        return answer_from_json(data)
    if suffix == ".ttl":
        return Answer("graph", graph=Graph().parse(data=data, format="turtle"))
    raise InputError(f"{path}: unknown answer format {suffix!r} (use .csv, .srj or .ttl)")
