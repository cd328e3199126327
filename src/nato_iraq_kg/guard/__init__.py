"""Guards on user input: safe parsing of RDF files, JSON-LD and SPARQL query texts.

Every entry point that reads user input (``validate FILE``, ``--shapes``, ``query FILE`` and
``--sparql``, the SPARQL endpoint) goes through this package, so the rules live in one place:

* **Size first.** A file is measured before it is read, and text before it is parsed.
* **One strict parser.** RDF is parsed by Oxigraph, which rejects every W3C negative-syntax test
  (rdflib alone accepts some: bad IRIs, bad escapes, a literal with both a language and a
  datatype). rdflib only ever sees triples that Oxigraph has already accepted.
* **Nothing is fetched or opened.** RDF/XML with ``<!DOCTYPE``/``<!ENTITY`` is refused before
  any XML parser runs (entity expansion bombs, external entities). JSON-LD may only carry inline
  contexts: a context given by IRI or path (``http://169.254.169.254/...``, ``file:///etc/passwd``,
  ``../secrets.jsonld``) or an ``@import`` is refused with "remote context not allowed".
* **Bounded nesting.** Oxigraph's JSON-LD, RDF/XML and SPARQL parsers recurse on nesting and
  crash the whole process (a native stack overflow, not a Python exception) at a few thousand
  levels; the SPARQL planner is also super-linear in nested blank nodes. Nesting is measured with
  a flat scan first and refused beyond a depth no real document or query needs.
* **Read-only queries.** User queries may not update (``INSERT``, ``LOAD``, ``DROP``...), call
  ``SERVICE`` or pick graphs with ``FROM``/``FROM NAMED``.

All checks raise :class:`~nato_iraq_kg.errors.InputError` (exit 2) with one line naming the input.
"""

from __future__ import annotations


def nesting_depth(tokens: str, opening: frozenset[str], closing: frozenset[str]) -> int:
    """Return the deepest nesting of brackets in ``tokens`` (a flat scan, no recursion)."""
    depth = deepest = 0
    for char in tokens:
        if char in opening:
            depth += 1
            deepest = max(deepest, depth)
        elif char in closing:
            depth -= 1
    return deepest
