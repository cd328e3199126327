"""Run SPARQL over the built dataset in an embedded store, with no server.

The embedded engine is Oxigraph (pyoxigraph): it loads the TriG dataset once and answers with the
default graph as the union of all named graphs, so a query sees facts and evidence alike, and
``GRAPH ?g { ... }`` still tells which assertion a triple came from. It beats rdflib's in-memory
store by an order of magnitude on joins (see ``bench/``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import InputError
from ..formats.registry import syntax
from ..guard.sparql_text import blank_opaque, vet_query
from ..namespaces import prefixes
from ..paths import DATASET_FILE

CQ_DIR_NAME = "cq"


@dataclass(frozen=True)
class QueryOutcome:
    """The answer to a query, whatever its form: rows, a boolean, or triples (N-Triples)."""

    kind: str  # "select" | "ask" | "graph"
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()  # pyoxigraph terms or None
    boolean: bool | None = None
    ntriples: str = ""


def load_graph(path: Path | None = None) -> Any:
    """Load the built dataset (``data/nato-iraq.trig``) into an in-memory Oxigraph store."""
    import pyoxigraph

    path = path or paths.data_dir() / DATASET_FILE
    if not path.is_file():
        raise InputError(f"{path}: no built dataset; run 'nato-iraq-kg build' first")
    store = pyoxigraph.Store()
    try:
        store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.TRIG)
    except (SyntaxError, ValueError, OSError) as exc:
        raise InputError(f"{path}: cannot load: {exc}") from exc
    return store


def run(store: Any, sparql: str) -> QueryOutcome:
    """Run any SPARQL query form on ``store`` and return its answer.

    The text is vetted first (:func:`nato_iraq_kg.guard.sparql_text.vet_query`): no updates,
    ``SERVICE``, ``FROM``, or nesting deep enough to crash the parser.
    """
    import pyoxigraph

    answer = _evaluate(store, sparql)
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return QueryOutcome("ask", boolean=bool(answer))
    if isinstance(answer, pyoxigraph.QuerySolutions):
        variables = tuple(v.value for v in answer.variables)
        rows = tuple(tuple(row[v] for v in variables) for row in answer)
        return QueryOutcome("select", variables=variables, rows=rows)
    text = pyoxigraph.serialize(answer, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return QueryOutcome("graph", ntriples=(text or b"").decode("utf-8"))


def _evaluate(store: Any, sparql: str) -> Any:
    """Vet a user's query, then run it over the union of the named graphs with our prefixes."""
    vet_query(sparql)
    try:
        return store.query(sparql, use_default_graph_as_union=True, prefixes=prefixes())
    except SyntaxError as exc:
        from .syntax_errors import explain_syntax_error

        sentence = explain_syntax_error(sparql, str(exc), prefixes())
        raise InputError(f"malformed SPARQL: {sentence}") from exc


def compact_iri(iri: str) -> str:
    """Return ``prefix:local`` for an IRI in one of the project's namespaces, else ``<iri>``."""
    for prefix, namespace in sorted(prefixes().items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def with_declared_prefixes(sparql: str) -> str:
    """Return ``sparql`` with a PREFIX line for each predeclared prefix it uses undeclared.

    The embedded store predeclares the project's prefixes; a remote endpoint knows none of them
    (or other ones), so the same text must carry its own declarations to mean the same there.
    """
    opaque = blank_opaque(sparql)
    missing = [
        f"PREFIX {prefix}: <{namespace}>"
        for prefix, namespace in sorted(prefixes().items())
        if re.search(rf"(?<![\w?$:.-]){re.escape(prefix)}:", opaque)
        and not re.search(rf"\bPREFIX\s+{re.escape(prefix)}\s*:", opaque, re.IGNORECASE)
    ]
    return "\n".join([*missing, sparql]) if missing else sparql


def compact(term: Any) -> str | None:
    """Return a term as short text for people: IRIs by prefix, literals by their value."""
    import pyoxigraph

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, pyoxigraph.Literal):
        return term.value
    return str(term)


@dataclass(frozen=True)
class SelectResult:
    """The variables and rows of a SELECT answer, each cell as short text (None where unbound)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]


def select(store: Any, sparql: str) -> SelectResult:
    """Run a SELECT query and return its rows with IRIs compacted by the project's prefixes."""
    outcome = run(store, sparql)
    if outcome.kind != "select":
        raise InputError("expected a SELECT query")
    return SelectResult(
        outcome.variables, tuple(tuple(compact(t) for t in row) for row in outcome.rows)
    )


#: The narrowest a column is cut to when a table is fitted into the terminal.
MIN_COLUMN = 8


def table(result: SelectResult, width: int = 100, room: int | None = None) -> str:
    """Format a result as an aligned plain-text table, cutting cells wider than ``width``.

    With ``room`` (the terminal's columns), the widest columns are narrowed further, one
    character at a time, until each line fits or every column is down to :data:`MIN_COLUMN`.
    """

    def cut(text: str, limit: int) -> str:
        return text if len(text) <= limit else text[: limit - 1] + "…"

    header = list(result.variables)
    texts = [["" if v is None else " ".join(v.split()) for v in row] for row in result.rows]
    widths = [max([len(h)] + [min(width, len(r[i])) for r in texts]) for i, h in enumerate(header)]
    if room is not None:
        separators = 3 * max(len(widths) - 1, 0)
        while sum(widths) + separators > room:
            widest = max(range(len(widths)), key=lambda i: widths[i])
            if widths[widest] <= MIN_COLUMN:
                break
            widths[widest] -= 1
    header = [cut(h, w) for h, w in zip(header, widths, strict=True)]
    body = [[cut(c, w) for c, w in zip(r, widths, strict=True)] for r in texts]
    lines = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines)


def competency_questions(folder: Path | None = None) -> list[Path]:
    """Return the competency-question files ``queries/cq/NN-slug.rq``, in order."""
    folder = folder or paths.project_root() / "queries" / CQ_DIR_NAME
    return sorted(folder.glob("[0-9][0-9]-*.rq"))


def question_of(path: Path) -> str:
    """Return the plain-words question from the leading ``#`` comment of a query file."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("# ").strip())
    text = " ".join(lines)
    match = re.match(r"(.+?\?)", text)
    return match.group(1) if match else text


def resolve_query(name: str, folder: Path | None = None) -> Path:
    """Find a query by file path, by competency-question number (``7``, ``07``) or by slug."""
    candidate = Path(name)
    if candidate.suffix == ".rq" or candidate.is_file():
        if not candidate.is_file():
            raise InputError(f"{candidate}: query file not found")
        return candidate
    files = competency_questions(folder)
    for path in files:
        number, _, slug = path.stem.partition("-")
        if name.isdigit() and int(name) == int(number):
            return path
        if name in (path.stem, slug):
            return path
    import difflib

    stems = [p.stem for p in files]
    near = [stem for stem in stems if name.lower() in stem][:3]
    near = near or difflib.get_close_matches(name, stems, n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise InputError(f"no query named {name!r}{hint} ('nato-iraq-kg query --list' shows them)")


#: Output formats of SELECT/ASK answers, as pyoxigraph names them.
RESULT_FORMATS = ("csv", "tsv", "json", "xml")


def run_serialized(store: Any, sparql: str, fmt: str) -> bytes:
    """Run a vetted query and return its answer in a W3C format (results formats or RDF)."""
    import pyoxigraph

    answer = _evaluate(store, sparql)
    if isinstance(answer, pyoxigraph.QueryTriples):
        chosen = syntax(fmt) if fmt not in RESULT_FORMATS else syntax("ttl")
        return pyoxigraph.serialize(answer, format=chosen.rdf_format) or b""
    if fmt not in RESULT_FORMATS:
        raise InputError(f"format {fmt!r} is for graphs; use one of {', '.join(RESULT_FORMATS)}")
    return answer.serialize(format=getattr(pyoxigraph.QueryResultsFormat, fmt.upper()))


_EVIDENCE_PREFIXES = """
PREFIX nik: <https://w3id.org/nato-iraq-kg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_EVIDENCE_FACTS = """
  { GRAPH ?g { ?entity ?property ?object } BIND(?entity AS ?subject) }
  UNION
  { GRAPH ?g { ?subject ?property ?entity } BIND(?entity AS ?object) }
  FILTER(STRSTARTS(STR(?g), "https://w3id.org/nato-iraq-kg/id/assertion/"))
  ?evidence oa:hasBody ?g ;
            nik:inPart/nik:partName ?part ;
            oa:hasTarget/oa:hasSelector/oa:exact ?quote .
}
ORDER BY ?subject ?property ?object ?part
"""
_EVIDENCE_COLUMNS = "?entity ?subject ?property ?object ?part ?quote"
#: Facts about the entities whose label or alias is ``?wanted`` (bound as a literal; Oxigraph
#: binds only projected variables, so ``?wanted`` is a column that the callers drop).
EVIDENCE_QUERY = (
    _EVIDENCE_PREFIXES
    + f"SELECT DISTINCT ?wanted {_EVIDENCE_COLUMNS}\nWHERE {{\n"
    + "  ?entity rdfs:label|skos:altLabel ?name .\n"
    + "  FILTER(LCASE(STR(?name)) = LCASE(STR(?wanted)))"
    + _EVIDENCE_FACTS
)
#: Facts about the entity ``?entity`` (bound as an IRI).
EVIDENCE_BY_IRI_QUERY = (
    _EVIDENCE_PREFIXES + f"SELECT DISTINCT {_EVIDENCE_COLUMNS}\nWHERE {{" + _EVIDENCE_FACTS
)


def evidence_answer(store: Any, name: str) -> Any:
    """Return the live answer (pyoxigraph solutions) to the evidence query for ``name``.

    ``name`` is a label or alias as the page writes it, a compact name (``actor:nato``, as the
    tables print it) or a full IRI (with or without ``<>``). It is bound by SPARQL substitution,
    as a literal or an IRI, never pasted into the query text, so no input can change what the
    query does. A compact name or IRI that finds nothing is tried as a label too.
    """
    import pyoxigraph

    from .names import entity_iri

    iri = entity_iri(name)
    if iri is not None:
        answer = store.query(
            EVIDENCE_BY_IRI_QUERY,
            use_default_graph_as_union=True,
            substitutions={pyoxigraph.Variable("entity"): pyoxigraph.NamedNode(iri)},
        )
        if store.query(
            "ASK { ?entity ?p ?o }",
            substitutions={pyoxigraph.Variable("entity"): pyoxigraph.NamedNode(iri)},
            use_default_graph_as_union=True,
        ):
            return answer
    return store.query(
        EVIDENCE_QUERY,
        use_default_graph_as_union=True,
        substitutions={pyoxigraph.Variable("wanted"): pyoxigraph.Literal(name)},
    )


def evidence_for(store: Any, name: str) -> SelectResult:
    """Return every fact about the entity ``name`` (a label, a compact name or an IRI), quoted.

    See :func:`evidence_answer` for how the name is read and bound.
    """
    answer = evidence_answer(store, name)
    variables = tuple(v.value for v in answer.variables if v.value != "wanted")
    rows = tuple(tuple(compact(row[v]) for v in variables) for row in answer)
    return SelectResult(variables, rows)


def evidence_serialized(store: Any, name: str, fmt: str) -> bytes:
    """Return the evidence of ``name`` in a W3C results format (csv, tsv, json), IRIs in full."""
    import pyoxigraph

    if fmt not in RESULT_FORMATS:
        raise InputError(f"format {fmt!r}: use one of {', '.join(RESULT_FORMATS)}")
    answer = evidence_answer(store, name)
    body = answer.serialize(format=getattr(pyoxigraph.QueryResultsFormat, fmt.upper()))
    return _without_first_column(body, fmt, "wanted")


def _without_first_column(body: bytes, fmt: str, variable: str) -> bytes:
    """Drop ``variable`` from a serialised answer when it is the first column (else unchanged)."""
    import csv
    import io

    if fmt == "json":
        document = json.loads(body)
        if variable not in document["head"]["vars"]:
            return body
        document["head"]["vars"].remove(variable)
        for binding in document["results"]["bindings"]:
            binding.pop(variable, None)
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
    text = body.decode("utf-8")
    if fmt == "tsv":
        lines = text.splitlines()
        if not lines or lines[0].split("\t")[0] != f"?{variable}":
            return body
        return "".join(line.split("\t", 1)[-1] + "\n" for line in lines).encode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or rows[0][0] != variable:
        return body
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(row[1:] for row in rows)
    return out.getvalue().encode("utf-8")


def table_from_json(data: bytes, width: int = 100, room: int | None = None) -> str:
    """Format SPARQL JSON results (from an endpoint) as the same table the embedded store prints."""
    answer = json.loads(data)
    if "boolean" in answer:
        return "yes" if answer["boolean"] else "no"
    variables = tuple(answer["head"]["vars"])
    rows = tuple(
        tuple(_binding_text(b.get(v)) for v in variables) for b in answer["results"]["bindings"]
    )
    return table(SelectResult(variables, rows), width, room)


def _binding_text(binding: dict[str, str] | None) -> str | None:
    """Return a SPARQL JSON binding as the embedded store's tables show it (IRIs compacted)."""
    if binding is None:
        return None
    if binding.get("type") == "uri":
        return compact_iri(binding["value"])
    return binding["value"]
