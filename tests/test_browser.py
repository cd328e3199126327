"""The web site in a real browser: headless Chromium clicks through it as a user would."""

from __future__ import annotations

import os
import re
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


#: The widths every page is tried at: a phone (390 px) and a desktop.
WIDTHS = {"phone": 390, "desktop": 1280}


class Visit:
    """A fresh browser page that records every URL it requests."""

    def __init__(self, browser: Any, base_url: str, width: int = 1280) -> None:
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": width, "height": 900})
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


@pytest.fixture(params=sorted(WIDTHS))
def sized(request: pytest.FixtureRequest, browser: Any, base_url: str) -> Iterator[Visit]:
    """A new page at a phone's width, then at a desktop's."""
    session = Visit(browser, base_url, WIDTHS[request.param])
    yield session
    session.context.close()


def no_sideways_scroll(page: Any) -> bool:
    """Tell whether the page fits its width (nothing to scroll sideways)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


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
    # overlapping quotes are marked as one span: this one runs on into "He commends ..."
    assert mark.inner_text().strip().startswith(STOLTENBERG_QUOTE)
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
    # The table abbreviates IRIs with the prefixes the editor knows (the predeclared ones too).
    expect(link).to_have_text("event:ntm-i-request")
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


def test_landing_counts_match_the_build_at_each_width(sized: Visit, build: Any) -> None:
    """The landing page lists each kind with the build's count (Places 9, Documents 4)."""
    from nato_iraq_kg.build.class_counts import SUMMARY_CLASSES

    page = sized.page
    sized.goto("/")
    counts = build.class_counts(SUMMARY_CLASSES)
    details = page.locator("details[data-class]")
    expect(details).to_have_count(len(SUMMARY_CLASSES))
    for cls, count in counts.items():
        kind = page.locator(f'details[data-class="{cls}"]')
        expect(kind.locator(".count")).to_have_text(str(count))
        kind.locator("summary").click()
        expect(kind.locator("ul.browse li")).to_have_count(count)
    assert no_sideways_scroll(page)
    sized.assert_local()


def test_entity_page_leads_with_a_summary_and_shows_each_paragraph_once(sized: Visit) -> None:
    """NTM-I: the summary comes first; the milestone paragraph is shown once, not ten times."""
    page = sized.page
    sized.goto("/id/programme/ntm-i")
    summary = page.locator("dl.summary")
    expect(summary).to_be_visible()
    expect(summary.locator("dt").first).to_have_text("type")
    expect(summary).to_contain_text("2004")
    first_quote = page.locator("blockquote.evidence").first.bounding_box()
    assert summary.bounding_box()["y"] < first_quote["y"]
    milestone = page.locator("blockquote.evidence", has_text="2004:")
    expect(milestone).to_have_count(1)
    expect(milestone.locator("mark").first).to_be_visible()
    headings = page.locator(".fact-property").all_inner_texts()
    assert headings and not [h for h in headings if ":" in h or h.startswith("is ")], headings
    assert page.locator("li.fact").count() == page.locator("li.fact .fact-badges").count() > 10
    assert no_sideways_scroll(page)
    sized.assert_local()


def test_timeline_fits_labels_and_zooms_about_the_chosen_event(sized: Visit) -> None:
    """Every event is labelled and in view; + keeps the chosen event on screen; quotes show."""
    page = sized.page
    sized.goto("/timeline")
    buttons = page.locator("#timeline button.ev")
    expect(buttons).to_have_count(TIMELINE_EVENTS)
    labels = page.locator("#timeline .ev-label")
    expect(labels).to_have_count(TIMELINE_EVENTS)
    box = page.locator("#timeline")
    fits = "(t) => t.scrollWidth <= t.clientWidth"
    # The chart opens with every event in view (refitted once the page's scroll bar is there).
    page.wait_for_function(f"() => ({fits})(document.getElementById('timeline'))")
    years = [int(t) for t in page.locator("#timeline .tick").all_inner_texts() if t.isdigit()]
    assert years and min(years) >= 2004 and max(years) <= 2017, years  # fitted, not to 2018
    assert page.locator("#timeline-legend li:visible").count() == 3  # no vague dates drawn
    assert no_sideways_scroll(page)

    chosen = page.locator('#timeline button.ev[aria-label^="Jens Stoltenberg meets"]')
    chosen.click()
    detail = page.locator("#event-detail")
    # the quote of the meeting, and the one that also gives its date ("1 March 2016: ...")
    expect(detail.locator("q.quote", has_text=STOLTENBERG_QUOTE[:60])).to_have_count(2)
    for _ in range(4):
        page.get_by_role("button", name="zoom in").click()
    assert not box.evaluate(fits), "zoomed in, the chart is wider than its box"
    expect(chosen).to_have_attribute("aria-pressed", "true")
    inside = box.bounding_box()
    mark = chosen.bounding_box()
    assert inside["x"] <= mark["x"] and mark["x"] + mark["width"] <= inside["x"] + inside["width"]
    label = chosen.locator("xpath=following-sibling::span[1]")
    expect(label).to_contain_text("Jens Stoltenberg meets")
    sized.assert_local()


def test_query_page_flags_no_predeclared_prefix(sized: Visit) -> None:
    """Regression: the default query showed "Prefix 'rdfs' is not defined" and a red run button."""
    page = sized.page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sized.goto("/query")
    page.wait_for_function("() => window.natoIraqYasgui !== undefined")
    yasqe = "window.natoIraqYasgui.getTab().getYasqe()"
    button = page.locator(".yasqe .yasqe_queryButton")
    expect(button).to_have_class(re.compile(r"\bquery_valid\b"))
    assert page.evaluate(f"() => {yasqe}.queryValid")
    # A query of your own may use the predeclared prefixes without PREFIX lines ...
    mine = "SELECT ?e ?who WHERE { ?e a nik:Event ; nik:agent ?who ; rdfs:label ?l }"
    page.evaluate(f"(q) => {{ {yasqe}.setValue(q); }}", mine)
    expect(button).to_have_class(re.compile(r"\bquery_valid\b"))
    # ... while an unknown prefix is still flagged.
    page.evaluate(f"(q) => {{ {yasqe}.setValue(q); }}", "SELECT * WHERE { ?s nope:p ?o }")
    expect(button).to_have_class(re.compile(r"\bquery_error\b"))
    # The question picker is styled: as wide as the text, with our border, not the native look.
    select = page.locator("#cq-select")
    style = select.evaluate(
        "(s) => { const c = getComputedStyle(s); return [c.appearance, c.borderRadius]; }"
    )
    assert style == ["none", "6px"], style
    main = page.locator("main").bounding_box()
    assert select.bounding_box()["width"] > main["width"] * 0.8
    assert no_sideways_scroll(page)
    assert errors == []
    sized.assert_local()
