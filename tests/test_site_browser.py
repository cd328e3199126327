"""The static site in Debian's Chromium, from a plain static server: it works with no Python."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect, sync_playwright

from loopback import free_port, stop_process
from nato_iraq_kg.sparql.search import SearchIndex, index_of_store
from test_browser import CHROMIUM, CHROMIUM_ARGS, STOLTENBERG_QUOTE, TIMELINE_EVENTS
from triplestores import wait_for_http

ID = "https://w3id.org/nato-iraq-kg/id/"
QUESTIONS = 50


@pytest.fixture(scope="module")
def site_url(static_site: Path) -> Iterator[str]:
    """Serve the folder with Python's plain http.server (no negotiation, no rewriting)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=static_site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process, seconds=30)
        yield url
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Launch Debian's headless Chromium once for the module."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A browser page that records every request and every console error or page error."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base + path, wait_until="networkidle")
        assert response is not None and response.status == 200, path

    def check_clean(self) -> None:
        """No console error, and no request left the static server."""
        assert self.errors == []
        assert self.requests
        assert [url for url in self.requests if not url.startswith(self.base)] == []


@pytest.fixture
def visit(browser: Any, site_url: str) -> Iterator[Visit]:
    session = Visit(browser, site_url)
    yield session
    session.context.close()


@pytest.fixture(scope="module")
def index(store: Any) -> SearchIndex:
    return index_of_store(store)


def test_home_to_an_entity_page_with_its_evidence(visit: Visit) -> None:
    """From index.html a link leads to the entity's .html file, its quote highlighted."""
    page = visit.page
    visit.goto("index.html")
    page.get_by_role("link", name="Jens Stoltenberg", exact=True).first.click()
    page.wait_for_url("**/id/actor/jens-stoltenberg.html")
    expect(page.locator("h1")).to_have_text("Jens Stoltenberg")
    mark = page.locator("blockquote.evidence mark", has_text=STOLTENBERG_QUOTE).first
    expect(mark).to_be_visible()
    page.locator("a[href$='ontology.html#Person']").first.click()
    page.wait_for_url("**/ontology.html#Person")
    visit.check_clean()


def test_timeline_links_lead_to_the_entity_files(visit: Visit) -> None:
    """The timeline draws every event; a link its script makes opens the entity's file."""
    page = visit.page
    visit.goto("timeline.html")
    expect(page.locator("#timeline button.ev")).to_have_count(TIMELINE_EVENTS)
    page.locator('#timeline button.ev[aria-label^="Jens Stoltenberg meets"]').click()
    link = page.locator("#event-detail h2 a")
    expect(link).to_have_attribute(
        "href", "./id/event/2016-03-01-stoltenberg-meets-massoum-and-al-abadi.html"
    )
    link.click()
    page.wait_for_url("**/id/event/2016-03-01-stoltenberg-meets-massoum-and-al-abadi.html")
    expect(page.locator("h1")).to_contain_text("Jens Stoltenberg meets")
    visit.check_clean()


@pytest.mark.parametrize("q", ["Mosul", "DCB", "Stoltenberg", "counter-terrorism", "Al Jaafari"])
def test_browser_search_ranks_as_the_server_does(visit: Visit, index: SearchIndex, q: str) -> None:
    """search.js over the prebuilt index gives the same hits in the same order as Python."""
    visit.goto(f"search.html?q={quote(q)}")
    results = visit.page.locator("#search-results[data-ready='true']")
    expect(results).to_be_attached()
    hrefs = visit.page.locator("a.hit").evaluate_all("(links) => links.map((a) => a.href)")
    expected = [
        visit.base + "id/" + hit.entry.iri[len(ID) :] + ".html" for hit in index.search(q).hits
    ]
    assert expected and hrefs == expected
    first_mark = visit.page.locator("blockquote.evidence mark").first
    assert first_mark.inner_text().lower().replace("-", " ").startswith(q.lower()[:3])
    visit.check_clean()


def test_header_search_box_leads_to_results(visit: Visit) -> None:
    """The search box of every page submits to search.html, whose first hit is the entity."""
    page = visit.page
    visit.goto("id/actor/nato.html")
    page.locator("#site-q").fill("Stoltenberg")
    page.locator("#site-q").press("Enter")
    page.wait_for_url("**/search.html?q=Stoltenberg")
    first = page.locator("a.hit").first
    expect(first).to_have_text("Jens Stoltenberg")
    first.click()
    page.wait_for_url("**/id/actor/jens-stoltenberg.html")
    visit.check_clean()


def test_hostile_search_text_stays_text(visit: Visit) -> None:
    """Markup in q is shown as text; no element is made from it and no script runs."""
    hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
    visit.goto("search.html?q=" + quote(hostile))
    expect(visit.page.locator("#search-results[data-ready='true']")).to_be_attached()
    assert visit.page.evaluate("() => window.pwned") is None
    assert visit.page.locator("main img").count() == 0
    expect(visit.page.locator("#search-heading")).to_contain_text("<img src=x")
    visit.check_clean()


def test_query_page_shows_every_question_with_its_answer(visit: Visit) -> None:
    """Without an endpoint the query page lists each question, its query and its built answer."""
    page = visit.page
    visit.goto("query.html")
    expect(page.locator("section.cq")).to_have_count(QUESTIONS)
    answer = page.locator("#cq-05 table.answer tbody tr")
    expect(answer).to_have_count(4)
    expect(page.locator("#cq-05")).to_contain_text("Iraqi interim government")
    visit.check_clean()
