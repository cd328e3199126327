"""Quality checks answered without their SPARQL: a cheaper route per check, for one exact text.

The ``queries/qc/*.rq`` files stay the checks' specification, which people read and the tests run
on the fixtures. Two of them cost most of the quality checks' time at a million quads, where
Oxigraph walks every quad; each has a route here that reads Oxigraph's indexes instead. A route
stands in for its query only while the file's text is the one it was compared against (a hash),
so an edited check runs as written; the tests compare each route with its query on every
fixture, the built dataset, the bench corpora and fixtures made to trip it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import facts_without_evidence, untyped_entities

__all__ = ["ROUTES", "Route", "route_for"]


@dataclass(frozen=True)
class Route:
    """A check's cheaper answer: its one result variable and the function that lists its rows."""

    stands_in_for: Callable[[str], bool]
    variable: str
    answer: Callable[[Any], list[Any]]


#: The routes by check name (the query file's stem).
ROUTES: dict[str, Route] = {
    untyped_entities.CHECK: Route(
        untyped_entities.stands_in_for, "resource", untyped_entities.untyped_entities
    ),
    facts_without_evidence.CHECK: Route(
        facts_without_evidence.stands_in_for,
        "assertion",
        facts_without_evidence.facts_without_evidence,
    ),
}


def route_for(name: str, query: str) -> Route | None:
    """Return the route for check ``name`` if ``query`` is the text it stands in for."""
    route = ROUTES.get(name)
    return route if route is not None and route.stands_in_for(query) else None
