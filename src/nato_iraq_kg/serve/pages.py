"""HTML pages of the dataset's web site: one page per entity, a landing page, a timeline, a query.

Pages are plain strings built with :func:`html.escape`, so the site needs no template engine and
every label from the graph (which could hold any text) is escaped in one place. Links to the
graph's own things are relative paths (``/id/actor/nato``), because the server maps the dataset's
IRIs onto its own address; the IRIs themselves only appear as text. Every fact shown comes with
its evidence: the quote highlighted inside the paragraph of the source page it was read from.

This module only gathers the pages under one name, so the server and the tests need not know how
they are split: the shared frame, escaping and labels are in :mod:`.html_common`, the entity
pages and their evidence in :mod:`.page_entity`, and the landing, timeline and query pages in
:mod:`.page_site`.
"""

from __future__ import annotations

from .html_common import (
    ID_BASE,
    ONTOLOGY_BASE,
    ONTOLOGY_PATH,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS,
    STYLESHEET,
    esc,
    local_path,
)
from .page_entity import (
    ASSERTION_BASE,
    DBPEDIA,
    NAMING,
    NIF,
    NIK,
    OA,
    OWL_SAME_AS,
    WIKIDATA,
    Evidence,
    entity_page,
    evidence_of,
    has_entity,
    highlight,
)
from .page_site import (
    BROWSE,
    COUNTS,
    DCAT,
    DCTERMS,
    VOID,
    Distribution,
    dataset_counts,
    distributions,
    landing_page,
    query_page,
    questions,
    with_prologue,
)
from .page_timeline import TIMELINE_DATA, event_quotes, timeline_page

__all__ = [
    "ASSERTION_BASE",
    "BROWSE",
    "COUNTS",
    "DBPEDIA",
    "DCAT",
    "DCTERMS",
    "ID_BASE",
    "NAMING",
    "NIF",
    "NIK",
    "OA",
    "ONTOLOGY_BASE",
    "ONTOLOGY_PATH",
    "OWL_SAME_AS",
    "RDFS_LABEL",
    "RDF_TYPE",
    "SKOS",
    "STYLESHEET",
    "TIMELINE_DATA",
    "VOID",
    "WIKIDATA",
    "Distribution",
    "Evidence",
    "dataset_counts",
    "distributions",
    "entity_page",
    "esc",
    "event_quotes",
    "evidence_of",
    "has_entity",
    "highlight",
    "landing_page",
    "local_path",
    "query_page",
    "questions",
    "timeline_page",
    "with_prologue",
]
