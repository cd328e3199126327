"""The curated file of one source revision: entities, facts with their quotes, and rule inputs.

A curated file is YAML that people read and edit. It has four sections:

``entities``
    ``CURIE: {a: type(s), label: words, aliases: [...], broader: [...], related: [...]}``. The
    label and every alias must occur verbatim in the text; the build quotes their first occurrence
    as the evidence of the entity's type and names.
``facts``
    ``{id, quote, at, turtle, tier, why}``: the exact quote, its character offset, and the Turtle
    triples it supports (prefixes ``nik:``, ``actor:``, ``event:``, ``date:`` ... are predefined).
    ``tier`` is ``stated`` (the default: the quote says it), ``derived`` or ``interpreted`` (the
    curator reads it into the quote); the last two need ``why``, which the graph keeps.
``milestones``
    ``{date: words, events: [CURIE, ...]}``: which events each dated milestone paragraph is about;
    the date itself is read from the paragraph by a rule.
``concept_lists``
    ``{id, subject, quote, at, items: [[words, CURIE], ...], qualifier}``: a list of cooperation
    areas as one sentence words it; a rule locates each item inside the quote and checks nothing is
    left over. ``qualifier`` gives the words just before the list that make it partial
    ("including", "such as"), which the graph keeps.
``review`` (only in a file carried over to a new revision by ``reanchor --write``)
    ``{id, status, quote, ...}``: quotes not found as they were; the build refuses the file until
    a person has resolved each one and deleted its entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rdflib import URIRef

from ..errors import InputError
from ..namespaces import prefixes


@dataclass(frozen=True)
class EntityDecl:
    """An entity the curated file declares, with the words that name it in the text."""

    iri: URIRef
    types: tuple[URIRef, ...]
    label: str
    aliases: tuple[str, ...]
    broader: tuple[URIRef, ...]
    related: tuple[URIRef, ...]
    where: str


@dataclass(frozen=True)
class FactEntry:
    """A quote and the Turtle triples it supports."""

    key: str
    quote: str
    at: int | None
    turtle: str
    where: str
    tier: str = "stated"
    why: str | None = None


#: How a fact relates to its quote: said by it, derived by a rule, or read into it by a curator.
TIERS = ("stated", "derived", "interpreted")


@dataclass(frozen=True)
class MilestoneEntry:
    """The events that a dated milestone paragraph is about."""

    date_words: str
    events: tuple[URIRef, ...]
    where: str


@dataclass(frozen=True)
class ConceptListEntry:
    """A worded list of concepts (cooperation areas, principles) that one subject relates to."""

    key: str
    subject: URIRef
    prop: URIRef
    quote: str
    at: int | None
    items: tuple[tuple[str, URIRef], ...]
    where: str
    qualifier: str | None = None


@dataclass(frozen=True)
class Curation:
    """Everything one curated file says."""

    path: Path
    source: str
    milestones_of: URIRef | None
    entities: Mapping[URIRef, EntityDecl]
    facts: tuple[FactEntry, ...]
    milestones: tuple[MilestoneEntry, ...]
    concept_lists: tuple[ConceptListEntry, ...]
    #: Quotes carried over from an earlier revision that a person must still resolve (``review:``).
    review: tuple[str, ...] = ()


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys, which plain YAML silently overwrites."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _FastStrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """:class:`_StrictLoader` on libyaml's parser (when PyYAML has it): the same data, faster.

    The pure-Python scanner was a sixth of a build; libyaml reads the curated file about five
    times faster, and the constructors (duplicate keys refused) are the same.
    """


_FastStrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def load_strict_yaml(text: str) -> Any:
    """Parse YAML text, refusing duplicate keys; errors are the pure-Python parser's.

    libyaml reads valid YAML into the same data, but its error marks lack the quoted line the
    pure-Python parser shows. So libyaml reads first, and on any error the text is read again
    by the pure-Python loader, whose error (or, should libyaml alone refuse it, whose data) is
    what the caller gets, exactly as before libyaml was used.
    """
    try:
        return yaml.load(text, Loader=_FastStrictLoader)
    except yaml.YAMLError:
        return yaml.load(text, Loader=_StrictLoader)


#: Characters no IRI may carry (RFC 3987), refused when a name is minted, not when it is written.
_NOT_IN_IRI = re.compile(r'[\s<>"{}|\\^`\x00-\x1f\x7f]')


def expand_curie(value: object, where: str) -> URIRef:
    """Expand ``prefix:local`` with the project's prefix map, or fail naming ``where``."""
    if not isinstance(value, str) or ":" not in value:
        raise InputError(f"{where}: expected a prefixed name like actor:nato, got {value!r}")
    prefix, local = value.split(":", 1)
    known = prefixes()
    if prefix not in known:
        raise InputError(f"{where}: unknown prefix {prefix!r} in {value!r}")
    if not local or _NOT_IN_IRI.search(local):
        raise InputError(f'{where}: malformed name {value!r} (spaces, <>"{{}}|\\^` not allowed)')
    return URIRef(known[prefix] + local)


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _require_text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(f"{where}: missing or empty {key!r}")
    return value


def _optional_text(entry: Mapping[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InputError(f"{where}: {key!r} must be non-empty words")
    return value


def _optional_offset(entry: Mapping[str, Any], where: str) -> int | None:
    value = entry.get("at")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(f"{where}: 'at' must be a non-negative character offset, got {value!r}")
    return value


def _tier(entry: Mapping[str, Any], where: str) -> tuple[str, str | None]:
    """Return a fact's tier and the reason for it; only a stated fact may go without a reason."""
    tier = entry.get("tier", "stated")
    if tier not in TIERS:
        raise InputError(f"{where}: 'tier' must be one of {', '.join(TIERS)}, got {tier!r}")
    why = entry.get("why")
    if why is not None and (not isinstance(why, str) or not why.strip()):
        raise InputError(f"{where}: 'why' must be a non-empty sentence")
    if tier != "stated" and why is None:
        raise InputError(f"{where}: a {tier} fact needs 'why' (what it rests on beyond the quote)")
    return tier, why


def _entities(raw: object, path: Path) -> dict[URIRef, EntityDecl]:
    if not isinstance(raw, dict):
        raise InputError(f"{path}: 'entities' must be a mapping of CURIE to description")
    result: dict[URIRef, EntityDecl] = {}
    for curie, body in raw.items():
        where = f"{path}: entity {curie}"
        iri = expand_curie(curie, where)
        if not isinstance(body, dict):
            raise InputError(f"{where}: expected a mapping with 'a' and 'label'")
        unknown = set(body) - {"a", "label", "aliases", "broader", "related"}
        if unknown:
            raise InputError(f"{where}: unknown keys {sorted(unknown)}")
        types = tuple(expand_curie(t, where) for t in _as_list(body.get("a")))
        if not types:
            raise InputError(f"{where}: no type ('a')")
        aliases = _as_list(body.get("aliases"))
        if not all(isinstance(a, str) and a for a in aliases):
            raise InputError(f"{where}: aliases must be non-empty strings")
        result[iri] = EntityDecl(
            iri=iri,
            types=types,
            label=_require_text(body, "label", where),
            aliases=tuple(aliases),
            broader=tuple(expand_curie(b, where) for b in _as_list(body.get("broader"))),
            related=tuple(expand_curie(r, where) for r in _as_list(body.get("related"))),
            where=where,
        )
    return result


def _keyed(raw: object, path: Path, section: str) -> list[tuple[str, dict[str, Any]]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InputError(f"{path}: {section!r} must be a list")
    result: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise InputError(f"{path}: {section} entry {number} must be a mapping")
        key = entry.get("id", entry.get("date"))
        if not isinstance(key, str) or not key:
            raise InputError(f"{path}: {section} entry {number} has no id")
        where = f"{path}: {section} entry {key!r}"
        if key in seen:
            raise InputError(f"{where}: duplicate id")
        seen.add(key)
        result.append((where, entry))
    return result


def _review(raw: object, path: Path) -> tuple[str, ...]:
    """Return "id (status)" for each entry still under review."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError(f"{path}: 'review' must be a list")
    items = []
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise InputError(f"{path}: review entry {number} must be a mapping with an id")
        items.append(f"{entry['id']} ({entry.get('status', 'to review')})")
    return tuple(items)


def load_curation(path: Path) -> Curation:
    """Read and check the shape of one curated file (its content is checked by the rules)."""
    try:
        raw = load_strict_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: malformed YAML: {exc}".replace("\n", " ")) from exc
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping at the top level")
    source = _require_text(raw, "source", str(path))
    milestones_of = raw.get("milestones_of")
    facts = tuple(
        FactEntry(
            key=entry["id"],
            quote=_require_text(entry, "quote", where),
            at=_optional_offset(entry, where),
            turtle=_require_text(entry, "turtle", where),
            where=where,
            tier=_tier(entry, where)[0],
            why=_tier(entry, where)[1],
        )
        for where, entry in _keyed(raw.get("facts"), path, "facts")
    )
    milestones = tuple(
        MilestoneEntry(
            date_words=entry["date"],
            events=tuple(expand_curie(e, where) for e in _as_list(entry.get("events"))),
            where=where,
        )
        for where, entry in _keyed(raw.get("milestones"), path, "milestones")
    )
    concept_lists = []
    for where, entry in _keyed(raw.get("concept_lists"), path, "concept_lists"):
        items = []
        for item in _as_list(entry.get("items")):
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
                raise InputError(f"{where}: each item must be [words, CURIE], got {item!r}")
            items.append((item[0], expand_curie(item[1], where)))
        if not items:
            raise InputError(f"{where}: no items")
        concept_lists.append(
            ConceptListEntry(
                key=entry["id"],
                subject=expand_curie(entry.get("subject"), where),
                prop=expand_curie(entry.get("property", "nik:coversArea"), where),
                quote=_require_text(entry, "quote", where),
                at=_optional_offset(entry, where),
                items=tuple(items),
                where=where,
                qualifier=_optional_text(entry, "qualifier", where),
            )
        )
    return Curation(
        review=_review(raw.get("review"), path),
        path=path,
        source=source,
        milestones_of=expand_curie(milestones_of, f"{path}: milestones_of")
        if milestones_of
        else None,
        entities=_entities(raw.get("entities", {}), path),
        facts=facts,
        milestones=milestones,
        concept_lists=tuple(concept_lists),
    )
