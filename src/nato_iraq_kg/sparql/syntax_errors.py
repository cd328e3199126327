"""SPARQL syntax errors in words: where (line, column), what is there, and what was expected.

Oxigraph's parser reports the farthest point it reached and every token its grammar could have
taken there, character classes included ("expected one of Prefix not found, ['%'], ['-' | '0'
..= '9' | ...]"): right, but unreadable. This module turns that into one sentence a person can
act on, and finds undeclared prefixes itself, because the parser reports them (if at all) after
the prefixed name, mixed with a dozen character classes, and sometimes as a different error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from ..guard.sparql_text import blank_opaque_in_place

#: Oxigraph's message: ``error at LINE:COLUMN: expected [one of ]ITEMS`` (1-based, characters).
_PARSER_MESSAGE = re.compile(r"error at (\d+):(\d+): expected (?:one of )?(.*)", re.DOTALL)
#: One item of the parser's "expected" list: a quoted token, a character class, or a word.
_EXPECTED_ITEM = re.compile(
    r"\"(?:[^\"\\]|\\.)*\"|\[(?:'(?:[^'\\]|\\.)*'|[^\]'])*\]|[A-Za-z][\w ]*"
)
#: A prefixed name's prefix (``skos:`` in ``skos:broader``); not a variable, IRI or blank node.
_PREFIX_USE = re.compile(r"(?<![\w?$:.\-])((?:[A-Za-z][\w.\-]*)?):")
_PREFIX_DECLARATION = re.compile(r"\bPREFIX\s+((?:[A-Za-z][\w.\-]*)?)\s*:", re.IGNORECASE)
#: What the user wrote at the error: an IRI, a string, a variable, a name, or one character.
_TOKEN = re.compile(
    r"<[^<>\s]*>?|\"[^\"\n]*\"?|'[^'\n]*'?|[?$]\w*|[\w:.\-]*\w|[^\s]",
)
#: Built-in functions: when the parser expects these, it expects an expression.
_FUNCTIONS = frozenset({"ABS", "STR", "SUM", "AVG", "IRI", "MAX", "MIN", "NOW", "MD5", "DAY"})
#: Keywords that start a graph pattern: expecting only these, the parser wants a whole pattern.
_PATTERN_KEYWORDS = frozenset(
    {"LATERAL", "SERVICE", "OPTIONAL", "MINUS", "GRAPH", "FILTER", "BIND", "VALUES"}
)
_MAX_EXPECTED = 8


def explain_syntax_error(sparql: str, message: str, predeclared: Mapping[str, str]) -> str:
    """Return one sentence for a query the parser rejected with ``message``.

    An undeclared prefix used before the point where parsing stopped is named first (with the
    predeclared ones and the closest of them); otherwise the sentence gives the line and column,
    the token found there (or "the end of the query") and, in words, what was expected.
    """
    found = _PARSER_MESSAGE.search(message)
    stop = _offset(sparql, int(found.group(1)), int(found.group(2))) if found else len(sparql)
    undeclared = first_undeclared_prefix(sparql, predeclared)
    if undeclared is not None and (undeclared[1] <= stop or "Prefix not found" in message):
        return _undeclared_prefix_sentence(sparql, undeclared[0], undeclared[1], predeclared)
    if found is None:
        return " ".join(message.split())
    start, token = _token_at(sparql, stop)
    if token is None:
        unclosed = _unclosed(sparql)
        if unclosed is not None:
            return unclosed
        start, token = _last_token(sparql)
    line, column = _line_and_column(sparql, start)
    what = "end of the query" if token is None else repr(token)
    expected = _expected_in_words(found.group(3))
    wanted = f"; expected {expected}" if expected else ""
    return f"line {line}, column {column}: unexpected {what}{wanted}"


def _unclosed(sparql: str) -> str | None:
    """Say which string or bracket is never closed, where it opens (None: all are closed).

    When the text runs out, the parser reports its end; the mistake is where the string or
    bracket that swallowed the rest begins.
    """
    bare = blank_opaque_in_place(sparql)
    quote = re.search(r"[\"']", bare)
    if quote is not None:
        line, column = _line_and_column(sparql, quote.start())
        mark = quote.group(0)
        return f"line {line}, column {column}: the string opened here ({mark}) is never closed"
    pairs = {"}": "{", ")": "(", "]": "["}
    opened: list[int] = []
    for offset, char in enumerate(bare):
        if char in "{([":
            opened.append(offset)
        elif char in pairs:
            line, column = _line_and_column(sparql, offset)
            if not opened:
                return f"line {line}, column {column}: unexpected {char!r}: nothing is open"
            if bare[opened[-1]] != pairs[char]:
                at_line, at_column = _line_and_column(sparql, opened[-1])
                return (
                    f"line {line}, column {column}: unexpected {char!r}; the "
                    f"{bare[opened[-1]]!r} of line {at_line}, column {at_column} is still open"
                )
            opened.pop()
    if not opened:
        return None
    line, column = _line_and_column(sparql, opened[-1])
    char = bare[opened[-1]]
    return f"line {line}, column {column}: {char!r} is never closed; the query ends first"


def _last_token(sparql: str) -> tuple[int, str | None]:
    """Return the last token of the query and where it starts (None for an empty text)."""
    bare = blank_opaque_in_place(sparql).rstrip()
    if not bare:
        return len(sparql), None
    start = len(bare) - 1
    while start > 0 and not bare[start - 1].isspace() and bare[start] not in "{}()[]":
        start -= 1
    return _token_at(sparql, start)


def first_undeclared_prefix(sparql: str, predeclared: Mapping[str, str]) -> tuple[str, int] | None:
    """Return the first prefix used but neither declared nor predeclared, with its offset."""
    bare = blank_opaque_in_place(sparql)
    declared = {match.group(1) for match in _PREFIX_DECLARATION.finditer(bare)}
    declarations = {match.start(1) for match in _PREFIX_DECLARATION.finditer(bare)}
    for match in _PREFIX_USE.finditer(bare):
        prefix = match.group(1)
        if match.start() in declarations or prefix in declared or prefix in predeclared:
            continue
        return prefix, match.start()
    return None


def _undeclared_prefix_sentence(
    sparql: str, prefix: str, offset: int, predeclared: Mapping[str, str]
) -> str:
    """Name the undeclared prefix, where it is, the closest predeclared one and all of them."""
    line, column = _line_and_column(sparql, offset)
    name = _TOKEN.match(sparql, offset)
    written = name.group(0) if name else f"{prefix}:"
    close = difflib.get_close_matches(prefix, list(predeclared), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}:'? " if close else ""
    known = ", ".join(sorted(predeclared))
    return (
        f"line {line}, column {column}: the prefix '{prefix}:' (in {written!r}) is not declared; "
        f"{hint}declare it with 'PREFIX {prefix}: <...>' or use a predeclared prefix: {known}"
    )


def _offset(text: str, line: int, column: int) -> int:
    """Return the character offset of a 1-based line and column, clamped to the text."""
    lines = text.split("\n")
    if line > len(lines):
        return len(text)
    before = sum(len(row) + 1 for row in lines[: line - 1])
    return min(before + max(column - 1, 0), len(text))


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _token_at(text: str, offset: int) -> tuple[int, str | None]:
    """Return where the token at (or first after) ``offset`` starts, and the token (None: end)."""
    rest = re.compile(r"\s*").match(text, offset)
    start = rest.end() if rest else offset
    if start >= len(text):
        return len(text), None
    token = _TOKEN.match(text, start)
    return start, (token.group(0) if token else text[start])[:40]


def _expected_in_words(items: str) -> str:
    """Return the parser's "expected" list as words: tokens and keywords, not character classes."""
    words: list[str] = []
    keywords: list[str] = []
    for item in _EXPECTED_ITEM.findall(items):
        item = item.strip()
        if item.startswith('"'):
            words.append("'" + item[1:-1].replace('\\"', '"').replace("\\\\", "\\") + "'")
        elif item.startswith("["):
            if "'0'" in item and "'A'" not in item and "a number" not in words:
                words.append("a number")
        elif item != "Prefix not found":
            keywords.append(item)
    if keywords and set(keywords) <= _PATTERN_KEYWORDS:
        return "a complete triple pattern (subject, predicate, object) or a graph pattern"
    if _FUNCTIONS & set(keywords):
        return "an expression (a variable, a value, or a function call such as STR(?x))"
    chosen = words + keywords
    if not chosen:
        return ""
    if len(chosen) == 1:
        return chosen[0]
    shown = chosen[:_MAX_EXPECTED] + (["..."] if len(chosen) > _MAX_EXPECTED else [])
    return "one of " + ", ".join(shown)
