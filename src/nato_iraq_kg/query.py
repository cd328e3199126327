"""Run SPARQL over the built dataset in an embedded store, with no server.

The embedded engine is Oxigraph (pyoxigraph): it loads the TriG dataset once and answers with the
default graph as the union of all named graphs, so a query sees facts and evidence alike, and
``GRAPH ?g { ... }`` still tells which assertion a triple came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import paths
from .build import DATASET_FILE
from .errors import InputError
from .namespaces import prefixes


@dataclass(frozen=True)
class SelectResult:
    """The variables and rows of a SELECT answer, each cell as text (None where unbound)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]


def load_graph(path: Path | None = None):
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


def _compact(term: object) -> str:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        value = term.value
        for prefix, namespace in sorted(prefixes().items(), key=lambda kv: -len(kv[1])):
            if value.startswith(namespace) and len(value) > len(namespace):
                return f"{prefix}:{value[len(namespace) :]}"
        return f"<{value}>"
    if isinstance(term, pyoxigraph.Literal):
        return term.value
    return str(term)


def select(store: object, sparql: str) -> SelectResult:
    """Run a SELECT query and return its rows with IRIs compacted by the project's prefixes."""
    try:
        solutions = store.query(sparql, use_default_graph_as_union=True, prefixes=prefixes())  # type: ignore[attr-defined]
    except SyntaxError as exc:
        raise InputError(f"malformed SPARQL: {exc}") from exc
    variables = tuple(v.value for v in solutions.variables)
    rows = tuple(
        tuple(None if row[v] is None else _compact(row[v]) for v in variables) for row in solutions
    )
    return SelectResult(variables, rows)


def table(result: SelectResult, width: int = 100) -> str:
    """Format a result as an aligned plain-text table, cutting cells wider than ``width``."""

    def cell(value: str | None) -> str:
        text = "" if value is None else " ".join(value.split())
        return text if len(text) <= width else text[: width - 1] + "…"

    header = list(result.variables)
    body = [[cell(v) for v in row] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in body]
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines)
