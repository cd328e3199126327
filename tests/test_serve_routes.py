"""The server's pages are wired: landing page, timeline, query editor and static assets."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from nato_iraq_kg.serve.app import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    """An in-process client of the app built by the factory."""
    return TestClient(create_app())


def test_landing_page_lists_downloads_and_questions(client: TestClient) -> None:
    """GET / is an HTML page with the downloads and links to the timeline and the editor."""
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "/data/nato-iraq.ttl" in page.text and "/timeline" in page.text
    assert "/query?cq=01" in page.text


def test_timeline_and_its_script_are_served_locally(client: TestClient) -> None:
    """The timeline page and its script and style come from our own /static/."""
    page = client.get("/timeline")
    assert page.status_code == 200
    assert "/static/timeline.js" in page.text
    script = client.get("/static/timeline.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


def test_query_editor_is_preloaded_with_a_question(client: TestClient) -> None:
    """/query?cq=05 fills the editor with competency question 05."""
    page = client.get("/query", params={"cq": "05"})
    assert page.status_code == 200
    assert "nik:Request" in page.text


def test_entity_iri_dereferences_to_a_page_with_evidence(client: TestClient) -> None:
    """An entity IRI asked for as HTML gives its page with a highlighted quote."""
    page = client.get("/id/actor/jens-stoltenberg", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "<q>NATO Secretary General Jens Stoltenberg</q>" in page.text
    assert "<mark>NATO Secretary General Jens Stoltenberg" in page.text
