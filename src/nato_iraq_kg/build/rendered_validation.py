"""The build's SHACL screen, read from the files it rendered rather than from rdflib graphs.

What the build validates is the facts, the evidence graph and ``void.ttl``, merged. Validating
copied them into one rdflib graph (0.2 s) only for the screen to copy that, term by term, into
Oxigraph (another 0.2 s). The rendered N-Triples dump *is* the facts, and the evidence graph is
the N-Quads dump's lines in that graph, so here Oxigraph loads that text itself, as
``validate FILE`` does (:func:`nato_iraq_kg.check.screened.validate_screened`).

``build --no-cache`` screens this way in a child process (:mod:`.screen_worker`); when the
screen cannot clear the data, the build validates the rdflib graph as it always did.
:func:`validate_rendered` is the whole validation from the text; the tests hold it to the rdflib
graph's results, which is what shows the store holds what the rdflib graph holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from ..formats.registry import DUMPS
from ..namespaces import EVIDENCE_GRAPH
from ..paths import VOID_FILE

if TYPE_CHECKING:
    from ..check.shapes import ValidationReport


def dump_file(syntax_key: str, holds: str) -> str:
    """Return the file name of the build's dump in one syntax holding the facts or the dataset."""
    return next(d.file for d in DUMPS if d.syntax_key == syntax_key and d.holds == holds)


def evidence_lines(nquads: str) -> str:
    """Return the evidence graph's statements of N-Quads text as N-Triples text.

    Our N-Quads writer ends each statement with its graph's IRI, `` <graph> .``, and an IRI holds
    no space, so a line of the evidence graph is recognised by its end.
    """
    tail = f" <{EVIDENCE_GRAPH}> ."
    return "".join(  # split("\n"), not splitlines(): N-Triples leaves U+2028 unescaped
        line[: -len(tail)] + " .\n" for line in nquads.split("\n") if line.endswith(tail)
    )


def load_rendered(files: dict[str, str]) -> tuple[Any, Any] | None:
    """Return an Oxigraph store of the rendered facts, evidence and VoID, and its literal ledger.

    Returns None when the text holds a blank node (its label in the text is not the rdflib
    graph's, and the screen names nodes for pySHACL by label) or Oxigraph cannot read
    ``void.ttl``: the caller then validates the rdflib graph as before.
    """
    import pyoxigraph

    from ..check.literal_ledger import LedgerBuilder, TypedLiteralLines

    facts = files[dump_file("nt", "facts")]
    evidence = evidence_lines(files[dump_file("nq", "dataset")])
    void = files[VOID_FILE]
    if any("_:" in text for text in (facts, evidence, void)):
        return None
    try:
        quads = list(pyoxigraph.parse(void.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE))
    except (SyntaxError, ValueError):  # rdflib read it before: let it, as before
        return None
    store = pyoxigraph.Store()
    builder = LedgerBuilder()
    typed = TypedLiteralLines()
    for text in (facts, evidence):
        data = text.encode("utf-8")
        store.load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
        typed(data)
    typed.note_into(builder, "N_TRIPLES")
    for quad in quads:
        builder.note(quad)
    store.extend(quads)
    return store, builder


def validate_rendered(
    files: dict[str, str], ontology: Graph, everything: Callable[[], Graph]
) -> ValidationReport | None:
    """Validate the rendered facts, evidence and VoID, loaded straight into Oxigraph.

    ``everything()`` returns the same statements as one rdflib graph; it is called only when
    pySHACL must run. Returns None when :func:`load_rendered` cannot load the text.
    """
    from ..check.screened import validate_screened
    from ..check.shapes import load_shapes

    loaded = load_rendered(files)
    if loaded is None:
        return None
    store, builder = loaded
    return validate_screened(store, builder, everything, shapes=load_shapes(), ontology=ontology)


def screen_conforms(files: dict[str, str], ontology: Graph, shapes: Graph) -> bool:
    """Return True when the screen finds that no node of the rendered data can fail a shape.

    That is the case in which :func:`validate_rendered` returns a conforming report without
    pySHACL; False means only that the validation must run (it may still conform).
    """
    from ..check.screen import has_targets
    from ..check.screened import screen_store

    loaded = load_rendered(files)
    if loaded is None:
        return False
    store, builder = loaded
    restricted = screen_store(store, builder, shapes, ontology)
    return restricted is not None and not has_targets(restricted)
