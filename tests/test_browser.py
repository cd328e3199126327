"""The web site in a real browser: headless Chromium clicks through it as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright

from loopback import free_port, stop_process

ROOT = Path(__file__).resolve().parents[1]
#: The README's screenshots are refreshed only on request (`UPDATE_SCREENSHOTS=1 make test`), so
#: an ordinary test run never changes tracked files.
SCREENSHOTS = ROOT / "docs" / "screenshots"
UPDATE_SCREENSHOTS = os.environ.get("UPDATE_SCREENSHOTS") == "1"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Dated events in data/timeline.jsonld, each drawn as one button.
TIMELINE_EVENTS = 24
STOLTENBERG_QUOTE = (
    "NATO Secretary General Jens Stoltenberg meets President Fouad Massoum and Prime Minister "
    "Al-Abadi during an official visit to Iraq."
)


def test_chromium_is_installed() -> None:
    """Debian's Chromium is there: make test installs it, and nothing is skipped without it."""
    assert Path(CHROMIUM).exists(), "chromium is missing: run scripts/ensure-system-packages.sh"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run the real server in a subprocess on a free loopback port until the module is done."""
    port = free_port()
    code = f"from nato_iraq_kg.serve.app import serve; serve(port={port})"
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, f"the server exited: {log_path.read_text()}"
            assert time.monotonic() < deadline, f"no answer to GET / in 30 s: {log_path}"
            time.sleep(0.2)
        yield url
    finally:
        stop_process(process)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Launch Debian's headless Chromium once for the module."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A fresh browser page that records every URL it requests."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))

    def goto(self, path: str) -> None:
        """Open a path of the site and wait for the page to settle."""
        response = self.page.goto(self.base_url + path, wait_until="networkidle")
        assert response is not None and response.status == 200, path

    def assert_local(self) -> None:
        """Check that no request left the loopback server."""
        assert self.requests
        outside = [url for url in self.requests if not url.startswith("http://127.0.0.1:")]
        assert outside == []

    def screenshot(self, path: Path, full_page: bool = True) -> None:
        """Save a PNG of the page and say where it is."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=full_page)
        print(f"screenshot: {path}")


@pytest.fixture
def visit(browser: Any, base_url: str) -> Iterator[Visit]:
    """A new page in its own browser context, closed after the test."""
    session = Visit(browser, base_url)
    yield session
    session.context.close()


def test_landing_to_entity_with_evidence(visit: Visit, tmp_path: Path) -> None:
    """From the landing page a link leads to an entity page whose evidence is highlighted."""
    page = visit.page
    visit.goto("/")
    assert page.locator('a[href="/timeline"]').first.is_visible()
    assert page.locator('a[href="/query"]').first.is_visible()
    assert page.locator('a[href^="/data/"][download]').count() > 0
    assert page.locator('ul.browse a[href^="/id/"]').count() > 0
    visit.screenshot(tmp_path / "landing.png")

    page.get_by_role("link", name="Jens Stoltenberg", exact=True).first.click()
    page.wait_for_url("**/id/actor/jens-stoltenberg")
    expect(page.locator("h1")).to_have_text("Jens Stoltenberg")
    mark = page.locator("blockquote.evidence mark", has_text=STOLTENBERG_QUOTE).first
    expect(mark).to_be_visible()
    assert mark.inner_text().strip() == STOLTENBERG_QUOTE
    visit.screenshot(tmp_path / "entity.png")
    if UPDATE_SCREENSHOTS:
        visit.screenshot(SCREENSHOTS / "entity.png", full_page=False)
    visit.assert_local()


def test_timeline_draws_events_and_shows_details(visit: Visit, tmp_path: Path) -> None:
    """The timeline draws one button per dated event; choosing one shows its details."""
    page = visit.page
    visit.goto("/timeline")
    buttons = page.locator("#timeline button.ev")
    expect(buttons).to_have_count(TIMELINE_EVENTS)
    detail = page.locator("#event-detail")
    expect(detail).to_contain_text("No event chosen yet.")

    # Zoom out until the whole axis fits, as a reader would to see every event at once.
    overflows = "() => { const t = document.getElementById('timeline'); "
    overflows += "return t.scrollWidth > t.clientWidth; }"
    for _ in range(6):
        if not page.evaluate(overflows):
            break
        page.get_by_role("button", name="zoom out").click()
    assert not page.evaluate(overflows)
    expect(buttons).to_have_count(TIMELINE_EVENTS)

    chosen = page.locator('#timeline button.ev[aria-label^="Jens Stoltenberg meets"]')
    chosen.click()
    expect(chosen).to_have_attribute("aria-pressed", "true")
    expect(detail.locator("h2 a")).to_have_attribute(
        "href", "/id/event/2016-03-01-stoltenberg-meets-massoum-and-al-abadi"
    )
    expect(detail.locator("h2")).to_contain_text("Jens Stoltenberg meets")
    expect(detail.locator("dt").first).to_have_text("when")
    expect(detail.locator("dd").first).to_contain_text("1 March 2016")
    expect(detail.locator('dd a[href="/id/actor/jens-stoltenberg"]')).to_be_visible()
    visit.screenshot(tmp_path / "timeline.png")
    if UPDATE_SCREENSHOTS:
        visit.screenshot(SCREENSHOTS / "timeline.png")
    visit.assert_local()


def test_query_editor_runs_cq05(visit: Visit, tmp_path: Path) -> None:
    """YASGUI preloads question 05 with its prefixes, runs it and shows its four rows."""
    page = visit.page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    visit.goto("/query?cq=05")
    expect(page.locator("#cq-select")).to_have_value("05")
    expect(page.locator("#cq-question")).to_contain_text("?")
    editor = "() => window.natoIraqYasgui.getTab().getYasqe()"
    query = page.evaluate(f"({editor})().getValue()")
    assert "\nPREFIX nik: <https://w3id.org/nato-iraq-kg/ontology#>\n" in query, query
    assert query.index("PREFIX") < query.index("SELECT")
    # Only completers that need no outside service (LOV would be asked for classes/properties).
    completers = page.evaluate(f"({editor})().config.autocompleters")
    assert sorted(completers) == ["prefixes", "variables"]

    page.locator(".yasqe .yasqe_queryButton").click()
    rows = page.locator(".yasr table.dataTable tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator(".yasr table.dataTable")).to_contain_text("Iraqi interim government")
    visit.screenshot(tmp_path / "query.png")
    if UPDATE_SCREENSHOTS:
        visit.screenshot(SCREENSHOTS / "query.png", full_page=False)

    # Picking another question replaces the query; an entity link opens our own page.
    page.locator("#cq-select").select_option("01")
    expect(page.locator("#cq-question")).to_contain_text("full timeline of the dated events")
    assert "# What is the full timeline" in page.evaluate(f"({editor})().getValue()")
    link = page.locator(".yasr table.dataTable a[href='/id/event/ntm-i-request']")
    expect(link).to_have_text("https://w3id.org/nato-iraq-kg/id/event/ntm-i-request")
    with page.expect_popup() as opened:
        link.click()
    entity = opened.value
    entity.wait_for_load_state()
    assert entity.url == visit.base_url + "/id/event/ntm-i-request"
    expect(entity.locator("h1")).to_contain_text("request")
    assert errors == []
    visit.assert_local()


def test_query_editor_reports_a_syntax_error(visit: Visit) -> None:
    """A malformed query shows the endpoint's parser message instead of a table."""
    page = visit.page
    visit.goto("/query")
    page.evaluate("() => { window.natoIraqYasgui.getTab().setQuery('SELECT * WHERE { ?s ?p }'); }")
    page.locator(".yasqe .yasqe_queryButton").click()
    expect(page.locator(".yasr")).to_contain_text("malformed SPARQL: error at 1:25")
    expect(page.locator(".yasr table.dataTable tbody tr")).to_have_count(0)
    visit.assert_local()
