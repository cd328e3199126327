"""Malformed SPARQL explained in words: line, column, the token there, what was expected.

Oxigraph's raw messages ("expected one of LATERAL, SERVICE, [_]", "Prefix not found, ['%'] ...")
used to reach the user as they were (issue 20, item 4). Every case here is written by hand and
checked three ways: ``query --sparql``, ``query FILE`` and the Python API; all exit 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nato_iraq_kg import load_graph, query
from nato_iraq_kg.cli import cli
from nato_iraq_kg.errors import InputError

# (query, words the one-line message must contain); positions are 1-based line and column.
CASES = {
    "undeclared-prefix": (
        "SELECT ?x WHERE {\n  ?x foo:bar ?y }",
        ["line 2, column 6", "'foo:'", "'foo:bar'", "actor, area, date", "skos", "xsd"],
    ),
    "misspelt-prefix": (
        "SELECT ?x\nWHERE {\n  ?x rdfs:label ?y ; skso:broader ?z }",
        ["line 3, column 22", "'skso:'", "did you mean 'skos:'?", "PREFIX skso: <...>"],
    ),
    "empty-prefix": ("SELECT * WHERE { ?x a :Foo }", ["line 1, column 23", "prefix ':'"]),
    "triple-without-object": (
        "SELECT * WHERE { ?s ?p }",
        ["line 1, column 24", "unexpected '}'", "a complete triple pattern"],
    ),
    "unclosed-brace": (
        "SELECT ?x WHERE {\n  ?x ?p ?o\n",
        ["line 1, column 17", "'{' is never closed"],
    ),
    "unclosed-string": (
        "SELECT * {\n  ?x rdfs:label 'NATO }",
        ["line 2, column 17", "string", "never closed"],
    ),
    "group-without-by": (
        "SELECT ?x WHERE { ?x rdfs:label ?y } GROUP ?x",
        ["line 1, column 44", "unexpected '?x'", "expected BY"],
    ),
    "limit-not-a-number": (
        "SELECT ?x WHERE { ?x ?p ?y } LIMIT x",
        ["line 1, column 36", "unexpected 'x'", "a number"],
    ),
    "missing-parenthesis": (
        "SELECT (COUNT(?x) AS ?n WHERE { ?x ?p ?y }",
        ["line 1, column 25", "unexpected 'WHERE'", "expected ')'"],
    ),
    "stray-bracket": (
        "SELECT * WHERE { ?s ?p ?o ]",
        ["line 1, column 27", "unexpected ']'", "'{' of line 1, column 16 is still open"],
    ),
}
NOISE = ("[_]", "Prefix not found", "'\\u{", "..='", "error at")


def invoke(*args: str):
    """Run the CLI in-process."""
    return CliRunner().invoke(cli, list(args))


def assert_explained(message: str, words: list[str]) -> None:
    """The message is one line, has every expected word, and none of the parser's raw syntax."""
    assert "\n" not in message.strip(), message
    for word in words:
        assert word in message, (word, message)
    for noise in NOISE:
        assert noise not in message, (noise, message)


@pytest.mark.parametrize(("sparql", "words"), CASES.values(), ids=CASES.keys())
def test_sparql_option_explains_the_error(sparql: str, words: list[str]) -> None:
    """``query --sparql``: exit 2, one sentence with line, column and the offending token."""
    result = invoke("query", "--sparql", sparql)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith("error: malformed SPARQL: line ")
    assert_explained(result.stderr, words)


@pytest.mark.parametrize(("sparql", "words"), CASES.values(), ids=CASES.keys())
def test_query_file_explains_the_error(tmp_path: Path, sparql: str, words: list[str]) -> None:
    """``query FILE.rq``: the same sentence (positions in the file as written)."""
    path = tmp_path / "broken.rq"
    path.write_text(sparql, encoding="utf-8")
    result = invoke("query", str(path))
    assert result.exit_code == 2
    assert_explained(result.stderr, words)


def test_python_api_raises_the_same_sentence() -> None:
    """``nato_iraq_kg.query``: an InputError (exit code 2) carrying the explained message."""
    store = load_graph()
    for sparql, words in CASES.values():
        with pytest.raises(InputError) as raised:
            query(sparql, store)
        assert raised.value.exit_code == 2
        assert_explained(str(raised.value), words)


def test_a_prefix_declared_in_the_query_is_not_reported() -> None:
    """A prefix the query declares itself, or one inside a string or IRI, is never blamed."""
    sparql = (
        'PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:p "a:b" ; <http://x.org/y:z> ?o '
    )
    result = invoke("query", "--sparql", sparql)
    assert result.exit_code == 2
    assert "prefix" not in result.stderr
    assert "line 2, column 16: '{' is never closed" in result.stderr
