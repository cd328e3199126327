"""SPARQL query texts from users: read-only, no SERVICE or FROM, bounded size and nesting."""

from __future__ import annotations

import re

from ..errors import InputError
from . import nesting_depth

#: Largest SPARQL query text (the endpoint has its own, smaller, request cap).
MAX_QUERY_BYTES = 1024 * 1024
#: Deepest nesting of ``(``, ``{`` and ``[`` in a SPARQL query (the project's queries need 5).
MAX_QUERY_DEPTH = 32

_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r"""|<[^<>\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n]*"""
)
_FORM = re.compile(
    r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)
READ_FORMS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})

# A keyword only counts when it stands alone: not part of a prefixed name (ex:from), a variable
# (?from, $service) or a longer word.
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:-])", re.IGNORECASE)
_FROM = re.compile(r"(?<![\w:?$])FROM(?![\w:-])", re.IGNORECASE)
_OPEN = frozenset("({[")
_CLOSE = frozenset(")}]")


def blank_opaque(sparql: str) -> str:
    """Return ``sparql`` with IRIs, string literals and comments blanked out.

    What is left is the query's keywords and names, so a check for SERVICE or INSERT is not
    fooled by the same word inside a label, an IRI or a comment.
    """
    return _OPAQUE.sub(" ", sparql)


def blank_opaque_in_place(sparql: str) -> str:
    """Return ``sparql`` with IRIs, strings and comments blanked, every offset left where it was.

    Like :func:`blank_opaque`, but each blanked token becomes as many spaces as it had characters
    (newlines kept), so a position found in the result is a position in the query the user wrote.
    """
    return _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), sparql)


_SPACE_OR_TOKEN = re.compile(r"(?:\s|#[^\n]*)+|" + _OPAQUE.pattern)


def one_line(sparql: str) -> str:
    """Return ``sparql`` on one line: comments dropped, whitespace runs outside strings one space.

    The text is read token by token, never line by line, so a ``#`` inside an IRI or a string
    stays, a ``# comment`` after code ends where its line ends, and strings (long ones too)
    keep their newlines: the query means exactly what it meant.
    """

    def keep(match: re.Match[str]) -> str:
        token = match.group(0)
        return " " if token[0] == "#" or token[0].isspace() else token

    return _SPACE_OR_TOKEN.sub(keep, sparql).strip()


def query_form(sparql: str) -> str:
    """Return the query's form (SELECT, ASK, ..., or an update verb), ignoring comments and strings.

    SPARQLWrapper guesses the form from the raw text, so a comment such as "to help Iraq create
    effective armed forces" makes it send a query as an update; we decide it ourselves.
    """
    return _form_of_bare(blank_opaque(sparql))


def _form_of_bare(bare: str) -> str:
    """Return the form of a query already blanked by :func:`blank_opaque`."""
    match = _FORM.search(bare)
    if match is None:
        raise InputError("malformed SPARQL: no query form (SELECT, CONSTRUCT, ASK, DESCRIBE)")
    return match.group(1).upper()


class QueryRefused(InputError):
    """A query we will not run; ``status`` is the HTTP status a server answers it with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def vet_query(sparql: str) -> str:
    """Return the form of a user's query, or raise :class:`QueryRefused` for what we never run.

    Updates are refused with 403 (the dataset is published, not edited). ``SERVICE`` is refused
    with 400 because it would make us fetch arbitrary URLs. Every ``FROM``/``FROM NAMED`` is
    refused with 400 too: queries always run over the published dataset with the default graph
    as the union of its named graphs, a ``FROM`` would silently narrow that, and refusing them
    all leaves no room for ``file:`` or remote IRIs. Use ``GRAPH <g> { ... }``. Over-long or
    over-nested texts are refused before the SPARQL parser sees them (413/400).
    """
    if len(sparql.encode("utf-8", "surrogatepass")) > MAX_QUERY_BYTES:
        raise QueryRefused(f"query text longer than {MAX_QUERY_BYTES} bytes", 413)
    bare = blank_opaque(sparql)  # once: the form, SERVICE, FROM and the depth all read it
    try:
        form = _form_of_bare(bare)
    except InputError as exc:
        raise QueryRefused(str(exc), 400) from exc
    if form not in READ_FORMS:
        raise QueryRefused(f"queries are read-only: SPARQL updates ({form}) are not accepted", 403)
    for token in _OPAQUE.finditer(sparql):
        if token.group(0)[:2] in ("<?", "<$"):
            raise QueryRefused(
                f"{token.group(0)[:40]!r} reads as one IRI (SPARQL's longest-token rule); "
                "put spaces around < and > when comparing",
                400,
            )
    if _SERVICE.search(bare):
        raise QueryRefused("SERVICE (federated query) is not allowed", 400)
    if _FROM.search(bare):
        raise QueryRefused(
            "FROM and FROM NAMED are not allowed: the default graph is always the union of "
            "the dataset's named graphs; use GRAPH <...> { } to pick one",
            400,
        )
    depth = nesting_depth(bare, _OPEN, _CLOSE)
    if depth > MAX_QUERY_DEPTH:
        raise QueryRefused(
            f"query nested {depth} levels deep (brackets, braces, parentheses); "
            f"at most {MAX_QUERY_DEPTH} are allowed",
            400,
        )
    return form
