"""The static site's query page when no endpoint is given: each question, its query, its answer.

A folder of files cannot run SPARQL, so instead of an editor with nowhere to send queries the
page shows every competency question with its query (prefixes included, ready to paste into any
store loaded with the dumps) and the answer the built graph gives, computed when the site was
written. With ``site --endpoint URL`` the page is the server's editor, sending to that endpoint.
"""

from __future__ import annotations

from typing import Any

from ..serve.html_common import esc, local_path, page_frame
from ..serve.pages import questions, with_prologue
from ..sparql.local import compact, load_graph, run


def _cell(term: Any) -> str:
    """Render one answer cell: our IRIs as links to their pages, anything else as text."""
    if term is None:
        return ""
    value = getattr(term, "value", None)
    path = local_path(value) if isinstance(value, str) and hasattr(term, "value") else None
    text = esc(compact(term) or "")
    if path is not None and type(term).__name__ == "NamedNode":
        return f'<a href="{esc(path)}">{text}</a>'
    return text


def _answer_html(store: Any, query: str) -> str:
    """Run one question on the built graph and render its answer as a table (or yes/no)."""
    outcome = run(store, query)
    if outcome.kind == "ask":
        return f'<p class="answer">{"yes" if outcome.boolean else "no"}</p>'
    if outcome.kind != "select":
        lines = outcome.ntriples.count("\n")
        return f'<p class="answer">a graph of {lines} triple(s); run the query to see it</p>'
    head = "".join(f"<th>{esc(v)}</th>" for v in outcome.variables)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_cell(t)}</td>" for t in row) + "</tr>" for row in outcome.rows
    )
    count = len(outcome.rows)
    return (
        f'<table class="answer"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        f'<p class="count">{count} row{"s" if count != 1 else ""}</p>'
    )


def answers_page(store: Any = None) -> str:
    """Return the page of every competency question with its query and its answer as built."""
    store = store if store is not None else load_graph()
    sections = []
    for number, question, text in questions():
        query = with_prologue(text)
        sections.append(
            f'<section class="cq" id="cq-{esc(number)}"><h2>{esc(number)}. {esc(question)}</h2>'
            f"<details><summary>the query</summary><pre><code>{esc(query)}</code></pre></details>"
            f"{_answer_html(store, query)}</section>"
        )
    body = (
        "<h1>Questions and answers</h1>\n"
        "<p>This copy of the site is a folder of files, so it cannot run queries: here are the "
        f"{len(sections)} competency questions, each with its SPARQL query and the answer the "
        'graph gave when the site was written. Load the <a href="/data/nato-iraq.trig">dataset'
        "</a> into any SPARQL store to ask your own.</p>\n" + "\n".join(sections)
    )
    return page_frame("Questions and answers — NATO–Iraq KG", body)
