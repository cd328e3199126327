"""Search the graph by words: an index of labels, alternative labels and evidence quotes, ranked.

Readers look things up by the words the page uses ("Mosul", "DCB", "counter-terrorism"), not by
IRIs or SPARQL, so every entity is indexed under its names and under each quote that states a
fact about it. Matching ignores case, accents and punctuation ("Al-Jaafari" = "al jaafari",
"Fouad Massoum" = "fouad massoum"); a name beats a quote, a whole name beats a part of one.

The index is built from the rows of one SELECT (:data:`SEARCH_QUERY`), so the same code indexes
the embedded store, a remote endpoint's answer, or the static site's prebuilt JSON; the browser's
copy of the ranking (``search.js`` in the static site) follows :func:`fold` and :func:`score` rule
for rule, and a browser test holds the two to the same order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..namespaces import BASE

ID_BASE = BASE + "id/"
#: Kinds of IRI (``id/{kind}/...``) a reader looks for; evidence, assertions and the page's own
#: structure are reached through the entities they are about.
KINDS = (
    "actor",
    "office",
    "programme",
    "event",
    "area",
    "principle",
    "theme",
    "place",
    "document",
    "quantity",
    "date",
    "list",
    "scheme",
)
#: Named things first, then happenings, then values: a tie on the words goes to the thing.
KIND_WEIGHT = {
    "actor": 3,
    "programme": 3,
    "place": 3,
    "area": 3,
    "office": 3,
    "principle": 3,
    "theme": 3,
    "document": 3,
    "event": 1,
}
#: Longest query text looked at, and most words: a hostile ``q`` costs no more than a fair one.
MAX_QUERY_CHARS = 200
MAX_TOKENS = 12
#: Letters a last word needs before it may match as the start of a longer word.
MIN_PREFIX = 3
#: Score of a match, by field (label, alternative label, quote) and by how well it matches.
SCORES = {
    ("label", "exact"): 100,
    ("alt", "exact"): 90,
    ("label", "phrase"): 80,
    ("alt", "phrase"): 70,
    ("label", "words"): 60,
    ("alt", "words"): 50,
    ("quote", "exact"): 40,
    ("quote", "phrase"): 30,
    ("quote", "words"): 15,
}

SEARCH_QUERY = """
PREFIX nik: <https://w3id.org/nato-iraq-kg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?field ?text ?evidence ?part WHERE {
  {
    ?entity rdfs:label ?text . BIND("label" AS ?field)
  } UNION {
    ?entity skos:altLabel ?text . BIND("alt" AS ?field)
  } UNION {
    ?evidence oa:hasBody ?g ; oa:hasTarget/oa:hasSelector/oa:exact ?text .
    OPTIONAL { ?evidence nik:inPart/nik:partName ?part }
    GRAPH ?g { { ?entity ?p ?o } UNION { ?s ?q ?entity } }
    BIND("quote" AS ?field)
  }
  FILTER(isIRI(?entity) && STRSTARTS(STR(?entity), "https://w3id.org/nato-iraq-kg/id/"))
}
"""


def fold(text: str) -> tuple[str, list[int]]:
    """Return ``text`` folded for matching, and for each folded character its index in ``text``.

    Folding decomposes (NFKD), drops combining marks (accents), case-folds, and turns every
    character that is not a letter or digit into a space, so words match whatever their accents,
    case or hyphens. The index map lets a match found in the folded text be marked in the
    original.
    """
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            for lower in part.casefold():
                folded.append(lower if lower.isalnum() else " ")
                origin.append(index)
    return "".join(folded), origin


def tokens(text: str) -> list[str]:
    """Return the folded words of ``text``."""
    return fold(text)[0].split()


@dataclass(frozen=True)
class Quote:
    """A quote that states a fact about an entity: its text, evidence IRI and part of the page."""

    text: str
    evidence: str
    part: str | None


@dataclass
class Entry:
    """One entity of the index, with its names and quotes (and their folded forms)."""

    iri: str
    kind: str
    label: str = ""
    alt: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    @property
    def path(self) -> str:
        """Return the entity's path on the site (``/id/actor/nato``)."""
        return "/id/" + self.iri[len(ID_BASE) :]


@dataclass(frozen=True)
class Hit:
    """One ranked result: the entity, its score, what matched, and the best matching quote."""

    entry: Entry
    score: int
    matched: str  # "label" | "alt" | "quote"
    quote: Quote | None
    spans: tuple[tuple[int, int], ...]  # character ranges of the match in ``quote.text``


@dataclass(frozen=True)
class Results:
    """The answer to one search: the words used, whether ``q`` was cut, and the hits in order."""

    query: str
    truncated: bool
    hits: tuple[Hit, ...]


def clean_query(q: str | None) -> tuple[str, bool]:
    """Return the query text as used (spaces collapsed, capped) and whether it was cut."""
    text = " ".join((q or "").split())
    if len(text) > MAX_QUERY_CHARS:
        return text[:MAX_QUERY_CHARS], True
    return text, False


class Matcher:
    """The patterns of one query, compiled once and tried on every folded text of the index."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        # The last word may be the start of a longer one, so "Stolten" finds Stoltenberg; only
        # from MIN_PREFIX letters on, or one letter would match half the words of the page.
        ends = [r"(?!\w)"] * len(words)
        if words and len(words[-1]) >= MIN_PREFIX:
            ends[-1] = r"\w*"
        body = r"\s+".join(re.escape(w) + end for w, end in zip(words, ends, strict=True))
        self.phrase = re.compile(rf"(?<!\w){body}")
        self.each = [
            re.compile(rf"(?<!\w){re.escape(w)}{end}") for w, end in zip(words, ends, strict=True)
        ]

    def kind(self, folded: str) -> str | None:
        """Return how well the words match a folded text: exact, phrase, words (all), or None."""
        if not self.words:
            return None
        if self.phrase.search(folded):
            return "exact" if folded.split() == self.words else "phrase"
        if all(pattern.search(folded) for pattern in self.each):
            return "words"
        return None

    def spans(self, text: str) -> tuple[tuple[int, int], ...]:
        """Return the character ranges of ``text`` where the words occur (for ``<mark>``)."""
        folded, origin = fold(text)
        phrase = self.phrase.search(folded)
        hits = [phrase] if phrase else [pattern.search(folded) for pattern in self.each]
        found = {
            (origin[hit.start()], origin[hit.end() - 1] + 1)
            for hit in hits
            if hit is not None and hit.end() > hit.start()
        }
        return tuple(sorted(found))


def score(kind: str, field_name: str, how: str, quotes: int) -> int:
    """Return the score of a match: by field and quality, then the kind, then a little evidence."""
    return SCORES[(field_name, how)] * 10 + KIND_WEIGHT.get(kind, 0) * 3 + min(quotes, 5)


class SearchIndex:
    """Every searchable entity with its names and quotes; :meth:`search` ranks them for a query."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = sorted(entries, key=lambda e: e.iri)
        self._folded = {
            e.iri: (
                fold(e.label)[0],
                [fold(a)[0] for a in e.alt],
                [fold(q.text)[0] for q in e.quotes],
            )
            for e in self.entries
        }

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str | None]]) -> SearchIndex:
        """Build the index from the rows of :data:`SEARCH_QUERY` (values as plain strings)."""
        entries: dict[str, Entry] = {}
        for row in rows:
            iri, text, field_name = row.get("entity"), row.get("text"), row.get("field")
            if not iri or text is None or not iri.startswith(ID_BASE):
                continue
            kind = iri[len(ID_BASE) :].split("/", 1)[0]
            if kind not in KINDS:
                continue
            entry = entries.setdefault(iri, Entry(iri, kind))
            if field_name == "label":
                # Several labels (other languages) keep the shortest English-looking first one.
                if not entry.label or len(text) < len(entry.label):
                    entry.label = text
            elif field_name == "alt" and text not in entry.alt:
                entry.alt.append(text)
            elif field_name == "quote" and row.get("evidence"):
                quote = Quote(text, row["evidence"] or "", row.get("part"))
                if quote not in entry.quotes:
                    entry.quotes.append(quote)
        for entry in entries.values():
            entry.alt.sort()
            entry.quotes.sort(key=lambda q: (q.evidence, q.text))
            entry.label = entry.label or entry.iri[len(ID_BASE) :]
        return cls(entries.values())

    def search(self, q: str | None, limit: int = 50) -> Results:
        """Return the entities matching ``q``, best first; an empty query finds nothing."""
        text, truncated = clean_query(q)
        matcher = Matcher(tokens(text)[:MAX_TOKENS])
        hits = []
        for entry in self.entries:
            hit = self._match(entry, matcher)
            if hit is not None:
                hits.append(hit)
        hits.sort(key=lambda h: (-h.score, len(h.entry.label), h.entry.label.lower(), h.entry.iri))
        return Results(text, truncated, tuple(hits[: max(limit, 0)]))

    def _match(self, entry: Entry, matcher: Matcher) -> Hit | None:
        """Return the entity's best match (name before quote), or None if nothing matches."""
        label, alts, quotes = self._folded[entry.iri]
        quote_kinds = [(i, how) for i, folded in enumerate(quotes) if (how := matcher.kind(folded))]
        best: tuple[int, str] | None = None
        candidates = [("label", matcher.kind(label))] + [("alt", matcher.kind(a)) for a in alts]
        candidates += [("quote", how) for _, how in quote_kinds]
        for field_name, how in candidates:
            if how is None:
                continue
            value = score(entry.kind, field_name, how, len(quote_kinds))
            if best is None or value > best[0]:
                best = (value, field_name)
        if best is None:
            return None
        quote = None
        if quote_kinds:
            # The quote that matches best (an exact phrase before scattered words), first in order.
            index = min(quote_kinds, key=lambda pair: (-SCORES[("quote", pair[1])], pair[0]))[0]
            quote = entry.quotes[index]
        elif entry.quotes:
            quote = entry.quotes[0]
        spans = matcher.spans(quote.text) if quote is not None else ()
        return Hit(entry, best[0], best[1], quote, spans)

    def to_json(self, page_size: int = 50) -> dict[str, Any]:
        """Return the index for the browser: entries with their texts and folded forms.

        The ranking's constants travel with it, so the browser's copy cannot drift from them.
        """
        return {
            "entries": [
                {
                    "iri": e.iri,
                    "kind": e.kind,
                    "label": e.label,
                    "alt": e.alt,
                    "quotes": [
                        {"text": q.text, "evidence": q.evidence, "part": q.part} for q in e.quotes
                    ],
                    "folded": {
                        "label": self._folded[e.iri][0],
                        "alt": self._folded[e.iri][1],
                        "quotes": self._folded[e.iri][2],
                    },
                }
                for e in self.entries
            ],
            "scores": {f"{k[0]}:{k[1]}": v for k, v in SCORES.items()},
            "kindWeight": KIND_WEIGHT,
            "maxQueryChars": MAX_QUERY_CHARS,
            "maxTokens": MAX_TOKENS,
            "minPrefix": MIN_PREFIX,
            "pageSize": page_size,
        }


def index_of_store(store: Any) -> SearchIndex:
    """Build the index from an embedded Oxigraph store (the union of its graphs)."""
    answer = store.query(SEARCH_QUERY, use_default_graph_as_union=True)
    names = [v.value for v in answer.variables]
    rows = [{n: (row[n].value if row[n] is not None else None) for n in names} for row in answer]
    return SearchIndex.from_rows(rows)


def index_of_bindings(bindings: Iterable[Mapping[str, Mapping[str, str]]]) -> SearchIndex:
    """Build the index from SPARQL JSON result bindings (a remote store's answer)."""
    return SearchIndex.from_rows(
        {name: value.get("value") for name, value in binding.items()} for binding in bindings
    )


def hit_json(hit: Hit) -> dict[str, Any]:
    """Return one hit as JSON for ``/search?format=json``: entity, path, score and its quote."""
    quote = None
    if hit.quote is not None:
        quote = {
            "text": hit.quote.text,
            "evidence": hit.quote.evidence,
            "part": hit.quote.part,
            "marks": [list(span) for span in hit.spans],
        }
    return {
        "iri": hit.entry.iri,
        "path": hit.entry.path,
        "label": hit.entry.label,
        "kind": hit.entry.kind,
        "alt": hit.entry.alt,
        "matched": hit.matched,
        "score": hit.score,
        "quote": quote,
    }


def results_json(results: Results) -> dict[str, Any]:
    """Return a whole answer as JSON: the words used, whether they were cut, and the hits."""
    return {
        "query": results.query,
        "truncated": results.truncated,
        "count": len(results.hits),
        "results": [hit_json(hit) for hit in results.hits],
    }


def results_table(results: Results, width: int = 80) -> str:
    """Return the hits as the plain-text table the command line prints, best first."""
    import pyoxigraph

    from .local import SelectResult, compact, table

    rows = tuple(
        (
            hit.entry.label,
            compact(pyoxigraph.NamedNode(hit.entry.iri)) or hit.entry.iri,
            hit.matched,
            hit.quote.text if hit.quote is not None else "",
        )
        for hit in results.hits
    )
    return table(SelectResult(("label", "entity", "matched", "quote"), rows), width)
