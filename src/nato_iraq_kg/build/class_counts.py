"""Instances per class, subclasses included: the one way the project counts its entities.

The build's summary ("Place 9") and the web site's landing page ("Places (9)") must never
disagree, so both call :func:`members_by_class` here. It works on plain IRI strings, so the
build (rdflib graphs) and the server (an Oxigraph store) can each feed it what they hold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..namespaces import NIK

#: The classes a build summary counts and the landing page lists, in this order.
SUMMARY_CLASSES = (
    NIK.Actor,
    NIK.Office,
    NIK.Programme,
    NIK.Event,
    NIK.CooperationArea,
    NIK.Principle,
    NIK.Theme,
    NIK.Place,
    NIK.Document,
    NIK.Quantity,
    NIK.DateValue,
)


def subclasses(subclass_of: Iterable[tuple[str, str]], cls: str) -> set[str]:
    """Return ``cls`` and every class below it, given ``(subclass, superclass)`` pairs."""
    below: dict[str, set[str]] = defaultdict(set)
    for sub, sup in subclass_of:
        below[sup].add(sub)
    found, todo = {cls}, [cls]
    while todo:
        for sub in below[todo.pop()] - found:
            found.add(sub)
            todo.append(sub)
    return found


def members_by_class(
    typed: Iterable[tuple[str, str]],
    subclass_of: Iterable[tuple[str, str]],
    classes: Iterable[str],
) -> dict[str, set[str]]:
    """Return the instances of each class, subclasses included, from ``(thing, class)`` pairs.

    Args:
        typed: every ``rdf:type`` statement of the facts, as ``(subject, class)`` IRIs.
        subclass_of: the ontology's ``rdfs:subClassOf`` statements, as ``(sub, super)`` IRIs.
        classes: the classes to count, in the order the result keeps.
    """
    typed, subclass_of = list(typed), list(subclass_of)
    result: dict[str, set[str]] = {}
    for cls in classes:
        wanted = subclasses(subclass_of, str(cls))
        result[str(cls)] = {thing for thing, kind in typed if kind in wanted}
    return result
