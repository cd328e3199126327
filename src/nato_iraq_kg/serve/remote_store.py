"""The pages' data read through SPARQL from a remote store (``serve --endpoint``).

The pages and descriptions are built from a pyoxigraph store by :mod:`.linked_data` and the
``page_*`` modules. Rather than write them a second time over SPARQL, each request here fetches
what those functions read (an entity's statements, the names and statements of what it links
to, the evidence of the graphs its statements sit in) with a few SELECTs into a small scratch
store, and the same code renders it: the embedded and the remote mode cannot drift apart.
Fetching more than a page reads is harmless; fetching less would show as a difference, which
the tests compare against the embedded store for entities of every class.

Every query reads only graphs under the project's namespace (``https://w3id.org/nato-iraq-kg/``,
the graphs ``publish`` owns), so a store's own graphs (Virtuoso keeps labels of OWL and RDFS in
its system graphs) never leak into a page. Answers pass through a scratch store, which keeps
literals by value as the embedded store does: Virtuoso's boolean ``1`` reads ``true`` and an
``xsd:nonNegativeInteger`` reads ``xsd:integer`` in both modes.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from ..namespaces import BASE
from ..remote.client import EndpointError, SparqlClient
from ..sparql.search import SEARCH_QUERY, SearchIndex, index_of_bindings
from .fact_standing import PROV

ID_BASE = BASE + "id/"
EVENT_BASE = ID_BASE + "event/"
EVIDENCE_GRAPH = BASE + "graph/evidence"
OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
NIK = BASE + "ontology#"
#: Characters an IRI written into a query could use to break out of ``<...>`` (SPARQL IRIREF).
_UNSAFE_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
#: Only graphs under our namespace are read (a store's system graphs are not ours).
_OURS = f'STRSTARTS(STR(?g), "{BASE}")'


class StoreUnavailable(EndpointError):
    """The remote store did not answer in time, or not at all: the request fails with 504/502."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message, status)


def status_for(error: EndpointError) -> int:
    """Return the status a page answers a failed store with: 504 if it was slow, else 502.

    A 4xx from the store means it refused what we sent (a malformed query, missing rights);
    anything else (no connection, a dropped one, a 5xx, an answer that is not SPARQL) is a
    gateway failure, which is what 502 says.
    """
    if isinstance(error, StoreUnavailable):
        return int(error.status or 502)
    if isinstance(error.__cause__, httpx.TimeoutException):
        return 504
    return 502


def iri_ref(iri: str) -> str:
    """Return ``iri`` written as a SPARQL IRI, or raise ValueError if it is not a safe IRI.

    The IRI comes from the request's path, so it is checked twice: by pyoxigraph's IRI parser
    and against every character that could end the ``<...>`` and start SPARQL of its own.
    """
    import pyoxigraph

    if _UNSAFE_IN_IRI.search(iri):
        raise ValueError(f"not an IRI: {iri!r}")
    return str(pyoxigraph.NamedNode(iri))


def _describe_nodes_query(nodes: str) -> str:
    """Return a SELECT of every quad whose subject is one of ``nodes`` (a SELECT ?s body)."""
    return f"""
SELECT ?s ?p ?o ?g WHERE {{
  {{ SELECT DISTINCT ?s WHERE {{ {nodes} FILTER(isIRI(?s)) }} }}
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER({_OURS})
}}"""


def about_query(node: str) -> str:
    """Return the SELECT of every quad with ``node`` as subject, object or graph."""
    return f"""
SELECT ?s ?p ?o ?g WHERE {{
  {{ VALUES ?s {{ {node} }} GRAPH ?g {{ ?s ?p ?o }} }}
  UNION {{ VALUES ?o {{ {node} }} GRAPH ?g {{ ?s ?p ?o }} }}
  UNION {{ VALUES ?g {{ {node} }} GRAPH ?g {{ ?s ?p ?o }} }}
  FILTER({_OURS})
}}"""


def neighbours_query(node: str) -> str:
    """Return the SELECT of every statement about what ``node`` links to or is linked from.

    That is the subjects, predicates, objects and graphs of its own quads (and, for an assertion
    graph, of the quads in it): the pages name each of them by its label.
    """
    nodes = f"""
      {{ GRAPH ?s1 {{ {node} ?p1 ?s }} }} UNION {{ GRAPH ?s1 {{ ?s ?p1 {node} }} }}
      UNION {{ GRAPH ?s1 {{ {node} ?s ?o1 }} }} UNION {{ GRAPH ?s1 {{ ?o1 ?s {node} }} }}
      UNION {{ GRAPH ?s {{ {node} ?p1 ?o1 }} }} UNION {{ GRAPH ?s {{ ?o1 ?p1 {node} }} }}
      UNION {{ GRAPH {node} {{ ?s ?p1 ?o1 }} }} UNION {{ GRAPH {node} {{ ?o1 ?s ?p1 }} }}
      UNION {{ GRAPH {node} {{ ?o1 ?p1 ?s }} }}"""
    return _describe_nodes_query(nodes)


def _evidence_nodes(bodies: str) -> str:
    """Return the nodes of the evidence of the assertion graphs ``?body`` that ``bodies`` binds.

    The annotations whose body each graph is, their targets and selectors (the quote, its
    offsets), the document part and sentence the quote is in, and the source revisions the graph
    was read from or lapsed in (a page's badges name them by their date).
    """
    return f"""
      {{ SELECT DISTINCT ?body WHERE {{ {bodies} }} }}
      {{ GRAPH ?ge {{ ?s <{OA}hasBody> ?body }} }}
      UNION {{ GRAPH ?ge {{ ?body <{PROV}wasDerivedFrom>|<{NIK}lapsedIn> ?s }} }}
      UNION {{ GRAPH ?ge {{ ?ev <{OA}hasBody> ?body ; <{NIK}inPart> ?s }} }}
      UNION {{ GRAPH ?ge {{ ?ev <{OA}hasBody> ?body ; <{NIK}inSentence> ?s }} }}
      UNION {{ GRAPH ?ge {{ ?ev <{OA}hasBody> ?body ; <{OA}hasTarget> ?s }} }}
      UNION {{ GRAPH ?ge {{ ?ev <{OA}hasBody> ?body ; <{OA}hasTarget> ?t .
                             ?t <{OA}hasSelector> ?s }} }}"""


def evidence_query(node: str) -> str:
    """Return the SELECT of the evidence of every graph stating something about ``node``.

    For each such assertion graph (and ``node`` itself, if it is one), every statement of each
    node of its evidence (see :func:`_evidence_nodes`). (``BIND``, not ``VALUES``, names
    ``node`` in the union: Virtuoso 7.2 answers nothing at all for a branch of ``VALUES`` alone.)
    """
    bodies = f"""
          {{ GRAPH ?body {{ {node} ?p1 ?o1 }} }} UNION {{ GRAPH ?body {{ ?o1 ?p1 {node} }} }}
          UNION {{ BIND({node} AS ?body) }}"""
    return _describe_nodes_query(_evidence_nodes(bodies))


TIMELINE_QUERY = _describe_nodes_query(
    f"""
      {{ GRAPH ?g1 {{ ?s ?p1 ?o1 }} FILTER(STRSTARTS(STR(?s), "{EVENT_BASE}")) }}
      UNION {{ GRAPH ?g1 {{ ?e ?p2 ?s }} FILTER(STRSTARTS(STR(?e), "{EVENT_BASE}")) }}"""
)
"""Every statement of each event and of what it links to (its dates, places, agents)."""

TIMELINE_EVIDENCE_QUERY = _describe_nodes_query(
    _evidence_nodes(f'GRAPH ?body {{ ?e ?p1 ?o1 }} FILTER(STRSTARTS(STR(?e), "{EVENT_BASE}"))')
)
"""The evidence of every graph with a statement about an event: the timeline shows the quotes."""

BROWSE_QUERY = f"""
SELECT ?s ?p ?o ?g WHERE {{
  VALUES ?p {{ <{RDF_TYPE}> <{RDFS}label> <{SKOS}prefLabel> }}
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER({_OURS} && isIRI(?s))
}}"""
"""The types and labels of everything, from which the landing page lists the entities by kind."""

#: The VoID counts of the landing page, over the facts (every graph but the evidence), as the
#: build counts them (``build/void.py``).
_FACTS = f"GRAPH ?g {{ ?s ?p ?o }} FILTER({_OURS} && ?g != <{EVIDENCE_GRAPH}>)"
COUNT_QUERIES = {
    "triples": f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {_FACTS} }} }}",
    "entities": f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_FACTS} "
    f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}")) }}',
    "distinctSubjects": f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_FACTS} FILTER(isIRI(?s)) }}",
    "distinctObjects": f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {_FACTS} }}",
    "classes": f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {_FACTS} "
    "FILTER(?p = <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>) }",
    "properties": f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {_FACTS} }}",
}


class RemoteStore:
    """A remote SPARQL store read for the pages: each method fetches and returns a scratch store.

    The methods block (the client is synchronous): call them from a thread.
    """

    def __init__(self, client: SparqlClient) -> None:
        self.client = client

    @property
    def url(self) -> str:
        """The store's query endpoint."""
        return self.client.connection.query_url

    def quads(self, *queries: str) -> Any:
        """Run SELECTs of ``?s ?p ?o ?g`` and return their quads in one scratch store."""
        import pyoxigraph

        store = pyoxigraph.Store()
        for sparql in queries:
            answer = self.client.query(sparql, "application/sparql-results+json", complete=True)
            try:
                solutions = pyoxigraph.parse_query_results(
                    answer.body, format=pyoxigraph.QueryResultsFormat.JSON
                )
                store.extend(
                    pyoxigraph.Quad(row["s"], row["p"], row["o"], row["g"]) for row in solutions
                )
            except (SyntaxError, ValueError, TypeError, KeyError) as exc:
                message = f"{self.url}: not a SPARQL JSON answer of quads: {exc}"
                raise EndpointError(message) from exc
        return store

    def neighbourhood(self, iri: str) -> Any:
        """Return a store with all the pages and descriptions of ``iri`` read (empty if unknown).

        Raises:
            ValueError: ``iri`` is not an IRI (the caller answers 404).
            EndpointError: the store failed.
        """
        node = iri_ref(iri)
        store = self.quads(about_query(node))
        if len(store) == 0:
            return store
        more = self.quads(neighbours_query(node), evidence_query(node))
        store.extend(more)
        return store

    def timeline(self) -> Any:
        """Return the statements the timeline is drawn from, merged into one rdflib graph.

        The facts alone, as in ``data/nato-iraq.ttl`` from which ``timeline.jsonld`` is built.
        """
        import pyoxigraph
        from rdflib import Graph

        store = self.quads(TIMELINE_QUERY)
        triples = [q.triple for q in store if q.graph_name != pyoxigraph.NamedNode(EVIDENCE_GRAPH)]
        text = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
        return Graph().parse(data=text.decode("utf-8"), format="nt")

    def timeline_quotes(self) -> Any:
        """Return a store with the events' statements and their evidence (the quotes shown)."""
        return self.quads(TIMELINE_QUERY, TIMELINE_EVIDENCE_QUERY)

    def labels(self) -> Any:
        """Return a store of the types and labels the landing page's lists are made of."""
        return self.quads(BROWSE_QUERY)

    def counts(self) -> dict[str, int]:
        """Return the dataset's VoID counts, counted in the store."""
        counts = {}
        for name, sparql in COUNT_QUERIES.items():
            rows = self.client.select(sparql)
            value = rows[0].get("n", {}).get("value", "") if rows else ""
            if value.isdigit():
                counts[name] = int(value)
        return counts

    def search_index(self) -> SearchIndex:
        """Return the search index, built from the store's answer to the search query."""
        return index_of_bindings(self.client.select(SEARCH_QUERY))
