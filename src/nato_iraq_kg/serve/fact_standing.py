"""Where a fact on a page stands: its tier, and the revisions of the source page that support it.

A fact is stated by one or more named graphs. Each assertion graph carries its tier (``nik:tier``:
stated, derived, interpreted, with the curator's reason) and the revisions of the source page it
was read from (``prov:wasDerivedFrom``); a fact that the latest revision no longer states keeps
its graph, marked ``nik:lapsedIn`` that revision. A reader of an entity page sees all three after
each fact as small badges, so "the page said this in February 2017, and no longer does" is
visible without a query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from ..namespaces import prefixes
from .evidence import NIK
from .html_common import SKOS, esc, first_of, literal_text, local_path, objects_of

PROV = prefixes()["prov"]
TIER_ORDER = ("stated", "derived", "interpreted")


@dataclass(frozen=True)
class Revision:
    """One revision of a source page, as a badge names it."""

    iri: str
    #: When the page was last updated in this revision ("2017-02-03T14:39:00"), for the order.
    updated: str
    #: The short form a badge shows ("3 Feb 2017").
    day: str


@dataclass(frozen=True)
class Fact:
    """One statement about the page's entity, and every graph that states it.

    ``inverse`` is true when the entity is the statement's object (the page reads it backwards).
    """

    subject: Any
    predicate: Any
    object: Any
    graphs: tuple[Any, ...]
    inverse: bool
    #: (tier, reason) of each graph that states it: ("stated", None), ("interpreted", "why ...").
    tiers: tuple[tuple[str, str | None], ...] = ()
    #: The revisions of the source page whose text supports it, oldest first.
    revisions: tuple[Revision, ...] = ()
    #: The revisions in which it lapsed (one per graph that lapsed); empty while current.
    lapsed_in: tuple[Revision, ...] = ()


def fact_badges(fact: Fact) -> str:
    """Return the badges shown after one fact: its tiers, the revisions supporting it, a lapse.

    A reader sees at once whether the page says a fact, a rule derived it, or a curator read it
    into the quote (an interpretation's reason shows on hover), and which revisions of the page
    say it.
    """
    badges = []
    for name, why in sorted(set(fact.tiers), key=lambda t: (TIER_ORDER.index(t[0]), t[1] or "")):
        tip = f' title="{esc(why)}"' if why else ""
        badges.append(f'<span class="tier tier-{esc(name)}"{tip}>{esc(name)}</span>')
    for revision in fact.revisions:
        badges.append(_revision_badge(revision, "revision", "as of", "supported by the revision"))
    for revision in fact.lapsed_in:
        badges.append(_revision_badge(revision, "lapsed", "lapsed", "no longer stated by"))
    return " ".join(badges)


def _revision_badge(revision: Revision, kind: str, word: str, tip: str) -> str:
    """Render one revision badge, a link to the revision's page where it has one."""
    text = f"{word} {esc(revision.day)}"
    title = f"{tip} of {esc(revision.updated)}"
    path = local_path(revision.iri)
    if path:
        text = f'<a href="{esc(path)}">{text}</a>'
    return f'<span class="{kind}" title="{title}">{text}</span>'


def with_standing(store: Any, facts: Iterable[Fact]) -> list[Fact]:
    """Return the facts with the tier, supporting revisions and lapse of each graph stating them."""
    graphs: dict[Any, _GraphStanding] = {}
    revisions: dict[Any, Revision | None] = {}
    result = []
    for fact in facts:
        tiers: list[tuple[str, str | None]] = []
        supported: dict[str, Revision] = {}
        lapsed: dict[str, Revision] = {}
        for graph in fact.graphs:
            if graph not in graphs:
                graphs[graph] = _standing_of(store, graph, revisions)
            standing = graphs[graph]
            if standing.tier is not None:
                tiers.append(standing.tier)
            supported.update((r.iri, r) for r in standing.revisions)
            if standing.lapsed_in is not None:
                lapsed[standing.lapsed_in.iri] = standing.lapsed_in
        result.append(
            replace(
                fact,
                tiers=tuple(tiers),
                revisions=tuple(sorted(supported.values(), key=lambda r: r.updated)),
                lapsed_in=tuple(sorted(lapsed.values(), key=lambda r: r.updated)),
            )
        )
    return result


@dataclass(frozen=True)
class _GraphStanding:
    tier: tuple[str, str | None] | None
    revisions: tuple[Revision, ...]
    lapsed_in: Revision | None


def _standing_of(store: Any, graph: Any, known: dict[Any, Revision | None]) -> _GraphStanding:
    """Read one graph's tier, the revisions it was derived from and the one it lapsed in."""
    if not hasattr(graph, "value"):  # the default graph: no statements about it
        return _GraphStanding(None, (), None)
    tier_node = first_of(objects_of(store, graph, NIK + "tier"))
    name = getattr(tier_node, "value", "").rsplit("#", 1)[-1]
    tier = None
    if name in TIER_ORDER:
        tier = (name, literal_text(store, graph, SKOS + "editorialNote"))
    sources = [
        revision
        for node in objects_of(store, graph, PROV + "wasDerivedFrom")
        if (revision := _revision(store, node, known)) is not None
    ]
    lapse = first_of(objects_of(store, graph, NIK + "lapsedIn"))
    lapsed_in = None
    if lapse is not None:  # named by its IRI's last segment if it has no date
        fallback = Revision(lapse.value, "", lapse.value.rsplit("/", 1)[-1])
        lapsed_in = _revision(store, lapse, known) or fallback
    return _GraphStanding(tier, tuple(sources), lapsed_in)


def _revision(store: Any, node: Any, known: dict[Any, Revision | None]) -> Revision | None:
    """Name a source revision by the day its page was last updated; None if it has no date.

    Each node is read once per page (``known``): every fact of a page names the same revisions.
    """
    if node not in known:
        updated = first_of(objects_of(store, node, NIK + "lastUpdated"))
        stamp = getattr(updated, "value", None)
        known[node] = (
            None
            if stamp is None
            else Revision(node.value, stamp, _day(stamp) or node.value.rsplit("/", 1)[-1])
        )
    return known[node]


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(stamp: str) -> str | None:
    """Write "2017-02-03T14:39:00" as "3 Feb 2017"; None for anything else."""
    try:
        year, month, day = stamp[:10].split("-")
        return f"{int(day)} {MONTHS[int(month) - 1]} {int(year)}"
    except (ValueError, IndexError):
        return None


__all__ = ["TIER_ORDER", "Fact", "Revision", "fact_badges", "with_standing"]
