"""A deterministic, seeded corpus shaped like our graph, at any size, for the benchmarks.

Why copy the real dataset instead of inventing triples from scratch: a benchmark at a million
triples only says something about our pipeline if the data has our classes, our properties, our
evidence pattern (one named graph per assertion, a Web Annotation with quote and position
selectors, PROV links to the source and the method) and our date values. The generator therefore
takes the built ``data/nato-iraq.nq`` as a template and writes it as it is (Iraq stays, so the
competency questions about named things still find them, now in a much larger graph), then one
copy of it per invented partner country: every IRI of ours that names a thing of that document
(actors, programmes, events, sources, assertions, evidence, their named graphs) gets the country's
slug, and every name (``rdfs:label``, ``skos:altLabel``, ``skos:prefLabel``) gets the country's
name, so the copies are different things that share no name. Shared on purpose: date values
(``id/date/...``, the same calendar for everyone), extraction methods (``id/method/...``), concept
schemes, and the evidence, derived and links graphs, which hold every country's statements as they
hold every assertion's in ours.

Sizes between two whole copies come from a last, partial copy that leaves out a seeded choice of
fact assertions (each with its evidence): facts are the only units nothing else depends on (the
entities they mention are declared by ``name-``/``alias-`` assertions, which are always kept), and
only facts that state nothing the shapes require or compare (dates) are left out. That can remove
about an eighth of a copy, so a size is met to within half a copy's worth of leftover: the corpus
is the nearer of "whole copies only" and "one more, trimmed", and always has at least one invented
country (10k gives the real document and one trimmed copy, about 14.5k triples).
The seed picks the invented names and the facts left out; the same seed and size give the same
bytes. The output is sorted N-Quads, the format both rdflib and Oxigraph load fastest.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "data" / "nato-iraq.nq"
SHAPES = ROOT / "ontology" / "shapes.ttl"
CACHE = ROOT / "bench" / ".cache"

BASE = "https://w3id.org/nato-iraq-kg/"
#: Kinds of IRI that stay shared between countries (the calendar, the extraction methods).
SHARED_KINDS = frozenset({"date", "method", "scheme"})
#: Date statements, which the shapes compare with each other (a closure and its programme's end).
DATE_PREDICATES = frozenset(f"<{BASE}ontology#{name}>" for name in ("date", "startDate", "endDate"))
#: An IRI of ours that names a thing of one document: ``{BASE}id/{kind}/{local}`` or a graph.
OWN_IRI = re.compile(r"<" + re.escape(BASE) + r"(id|graph)/([a-z]+)/([^>]*)>")
NAME_PREDICATES = (
    "<http://www.w3.org/2000/01/rdf-schema#label>",
    "<http://www.w3.org/2004/02/skos/core#altLabel>",
    "<http://www.w3.org/2004/02/skos/core#prefLabel>",
)
#: A plain or language-tagged literal at the end of a name statement (the text, the tag).
NAME_LITERAL = re.compile(r'^(.* )"((?:[^"\\]|\\.)*)"(@[a-zA-Z-]+)?( <[^>]+>)? \.$')
#: IRIs of the kinds a quality check fails when no fact uses them (areas, events).
ANCHORS = re.compile(r"<" + re.escape(BASE) + r"id/(area|event)/")
#: The assertion key in an assertion or evidence IRI: ``.../{source-slug}/{key}`` (then ``#...``).
UNIT_KEY = re.compile(re.escape(BASE) + r"id/(?:assertion|evidence)/[^/>]+/([^#>]+)")

SYLLABLES = (
    "ar", "bel", "cor", "dan", "el", "fir", "gal", "hes", "ion", "jor", "kal", "lun", "mar",
    "nor", "os", "pel", "quin", "ros", "sal", "tor", "ul", "ven", "wes", "xan", "yor", "zel",
)  # fmt: skip
ENDINGS = ("ia", "land", "istan", "ovia", "ara", "enia", "ica", "or")


def country_names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """Return ``count`` distinct invented country names with their IRI slugs."""
    names: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(names) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        word += rng.choice(ENDINGS)
        if word in seen:
            word += str(len(names))  # rare: keep the names distinct without another draw
        seen.add(word)
        names.append((word.capitalize(), word))
    return names


def template_lines(path: Path = TEMPLATE) -> list[str]:
    """Return the template's N-Quads lines (no blank nodes: every node of ours has an IRI)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
    if any("_:" in line.split('"', 1)[0] for line in lines):
        raise ValueError(f"{path}: blank nodes cannot be renamed per country")
    return lines


def required_predicates(shapes: Path = SHAPES) -> set[str]:
    """Return the paths the shapes require (``sh:minCount``), as N-Triples IRIs."""
    from rdflib import Graph, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    graph = Graph().parse(shapes, format="turtle")
    required = {f"<{graph.value(node, sh.path)}>" for node in graph.subjects(sh.minCount, None)}
    return required | DATE_PREDICATES


def fact_units(lines: list[str], required: set[str]) -> dict[str, list[int]]:
    """Group the template's line numbers by fact assertion (its graph and its evidence).

    A fact that states something the shapes require (a quantity's value, an office's
    ``org:postIn``) is left out of the groups: dropping it would make the corpus invalid. So is a
    fact that mentions a cooperation area or an event: it may be the only statement that uses
    the area (a programme covering it) or anchors the event (its date, place or parent), and the
    quality checks fail an area nothing uses and an event that says nothing.
    """
    units: dict[str, list[int]] = defaultdict(list)
    needed: set[str] = set()
    for number, line in enumerate(lines):
        keys = {m.group(1) for m in UNIT_KEY.finditer(line)}
        facts = sorted(k for k in keys if k.startswith("fact-"))
        if facts:
            units[facts[0]].append(number)
            in_assertion = "/id/assertion/" in line.rsplit(" ", 2)[-2]
            if in_assertion and (line.split(" ", 2)[1] in required or ANCHORS.search(line)):
                needed.add(facts[0])
    return {key: numbers for key, numbers in units.items() if key not in needed}


def rename(line: str, country: str, slug: str) -> str:
    """Return one template line as it reads for another country."""

    def own(match: re.Match[str]) -> str:
        scope, kind, local = match.groups()
        if kind in SHARED_KINDS:
            return match.group(0)
        return f"<{BASE}{scope}/{kind}/{slug}-{local}>"

    subject_is_own = not any(line.startswith(f"<{BASE}id/{kind}/") for kind in SHARED_KINDS)
    line = OWN_IRI.sub(own, line)
    if subject_is_own and any(f" {p} " in line for p in NAME_PREDICATES):
        found = NAME_LITERAL.match(line)
        if found:
            head, text, lang, graph = found.groups()
            line = f'{head}"{text} ({country})"{lang or ""}{graph or ""} .'
    return line


def generate(triples: int, seed: int = 8, template: Path = TEMPLATE) -> Iterator[str]:
    """Yield the N-Quads lines of a corpus of about ``triples`` statements, in sorted order.

    Whole copies of the template, one per invented country, then one partial copy that leaves out
    enough fact assertions to land near the target. Lines shared by copies (date values, method
    descriptions) appear once.
    """
    if triples < 1:
        raise ValueError("the corpus needs at least one triple")
    rng = random.Random(seed)
    lines = template_lines(template)
    whole, rest = divmod(triples, len(lines))
    units = fact_units(lines, required_predicates())
    partial: set[int] | None = None
    if rest:
        dropped: set[int] = set()
        keys = sorted(units)
        rng.shuffle(keys)
        for key in keys:
            if len(lines) - len(dropped) <= rest:
                break
            dropped.update(units[key])
        trimmed = len(lines) - len(dropped)
        if whole <= 1 or trimmed - rest < rest:  # the nearer size, with one invented country
            partial = set(range(len(lines))) - dropped
    copies = whole + (1 if partial else 0)
    names = [("", ""), *country_names(copies - 1, rng)]
    out: set[str] = set()
    for index, (country, slug) in enumerate(names):
        keep = partial if (partial is not None and index == copies - 1) else None
        for number, line in enumerate(lines):
            if keep is None or number in keep:
                out.add(rename(line, country, slug) if slug else line)
    yield from sorted(out)


def _generator_digest() -> str:
    """Return a short digest of what a corpus is made from: this file and the template."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(TEMPLATE.read_bytes())
    return digest.hexdigest()[:12]


def corpus_file(triples: int, seed: int = 8, folder: Path = CACHE) -> Path:
    """Return a cached N-Quads file of the corpus, writing it first if it is not there yet.

    The name carries a digest of this generator and of its template, the built dataset: a
    corpus made by an older generator or from older data is never taken for today's.
    """
    path = folder / f"scale-{triples}-seed{seed}-{_generator_digest()}.nq"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        with partial.open("w", encoding="utf-8") as handle:
            for line in generate(triples, seed):
                handle.write(line + "\n")
        partial.replace(path)
    return path


def trig_file(nquads: Path) -> Path:
    """Return a TriG copy of an N-Quads corpus file (our server loads TriG), writing it once."""
    path = nquads.with_suffix(".trig")
    if not path.is_file():
        by_graph: dict[str, list[str]] = defaultdict(list)
        with nquads.open(encoding="utf-8") as handle:
            for line in handle:
                statement, graph = line.rstrip(" .\n").rsplit(" ", 1)
                by_graph[graph].append(statement)
        partial = path.with_suffix(".tmp")
        with partial.open("w", encoding="utf-8") as out:
            for graph in sorted(by_graph):
                out.write(f"{graph} {{\n")
                out.writelines(f"    {statement} .\n" for statement in by_graph[graph])
                out.write("}\n")
        partial.replace(path)
    return path


def main() -> None:
    """Write a corpus to a file or stdout: ``python bench/scale.py 100000 --seed 8 -o out.nq``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("triples", type=int)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args()
    handle = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    with handle:
        for line in generate(args.triples, args.seed):
            handle.write(line + "\n")


if __name__ == "__main__":
    main()
