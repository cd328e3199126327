"""A running server picks up a new build in data/ whole: pages, /id/, /sparql and downloads.

Regression for "serve goes half-stale after a rebuild" (the landing page and /data/ showed the
new build, /sparql and /id/ the old). The server runs as a real process on a copy of data/, and
the "build" replaces files the way the build does (atomically, void.ttl last).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from loopback import free_port, stop_process
from nato_iraq_kg import paths
from nato_iraq_kg.formats.turtle import write_atomically

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FRESH = "https://w3id.org/nato-iraq-kg/id/actor/freshly-built"
FRESH_GRAPH = "https://w3id.org/nato-iraq-kg/id/assertion/test/freshly-built"
NEW_GRAPH = f"""
<{FRESH_GRAPH}> {{
    <{FRESH}> a <https://w3id.org/nato-iraq-kg/ontology#Person> ;
        <http://www.w3.org/2000/01/rdf-schema#label> "Freshly Built Actor"@en .
}}
"""
ASK_FRESH = f"ASK {{ <{FRESH}> ?p ?o }}"
#: Generous: a reload loads the store and starts five query workers on a shared machine.
DEADLINE_S = 90


def get(url: str, accept: str = "text/html") -> tuple[int, str]:
    """GET a URL; return the status and the body (errors included)."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def asks_fresh(base: str) -> bool:
    """Ask the endpoint whether the fresh actor is in the served build."""
    query = urllib.parse.urlencode({"query": ASK_FRESH})
    status, body = get(f"{base}/sparql?{query}", "application/sparql-results+json")
    assert status == 200, body
    return bool(json.loads(body)["boolean"])


def label_of_fresh(base: str) -> list[str]:
    """Look up the fresh actor's labels: a one-pattern lookup, answered by the server process."""
    query = urllib.parse.urlencode({"query": f"SELECT ?l WHERE {{ <{FRESH}> rdfs:label ?l }}"})
    status, body = get(f"{base}/sparql?{query}", "application/sparql-results+json")
    assert status == 200, body
    return [row["l"]["value"] for row in json.loads(body)["results"]["bindings"]]


def rebuild(data_dir: Path, trig: str) -> None:
    """Write a new dataset as the build does: each file replaced whole, void.ttl last."""
    write_atomically(data_dir / paths.DATASET_FILE, trig)
    void = (data_dir / paths.VOID_FILE).read_text(encoding="utf-8")
    write_atomically(data_dir / paths.VOID_FILE, void)


def wait_for(predicate: object, what: str) -> None:
    """Poll ``predicate`` until it is true; fail naming ``what`` after the deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not within {DEADLINE_S} s: {what}"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """Serve a copy of data/ (watched every 0.2 s); yield its URL, folder and log file."""
    folder = tmp_path_factory.mktemp("reload")
    data_dir = folder / "data"
    data_dir.mkdir()
    for path in paths.data_dir().iterdir():
        if path.is_file():
            shutil.copy2(path, data_dir / path.name)
    port = free_port()
    code = (
        "import logging; from pathlib import Path; logging.basicConfig(level=logging.INFO); "
        "from nato_iraq_kg.serve.app import serve; "
        f"serve(port={port}, data_dir=Path({str(data_dir)!r}), watch_interval_s=0.2)"
    )
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: process.poll() is None and _up(base), f"GET / ({log_path})")
            yield base, data_dir, log_path
        finally:
            stop_process(process)


def _up(base: str) -> bool:
    try:
        return get(base + "/")[0] == 200
    except OSError:
        return False


def test_a_broken_build_is_not_served_and_a_good_one_is_served_whole(
    server: tuple[str, Path, Path],
) -> None:
    """A malformed dataset is logged and skipped; the next good build replaces every part."""
    base, data_dir, log_path = server
    original = (data_dir / paths.DATASET_FILE).read_text(encoding="utf-8")
    assert not asks_fresh(base)
    assert label_of_fresh(base) == []
    assert get(f"{base}/id/actor/freshly-built")[0] == 404

    rebuild(data_dir, original + "\n<broken> { this is not TriG")
    wait_for(lambda: "kept the served build" in log_path.read_text(), "the broken build logged")
    assert not asks_fresh(base)
    assert get(f"{base}/id/actor/nato")[0] == 200

    rebuild(data_dir, original + NEW_GRAPH)
    wait_for(lambda: asks_fresh(base), "the new build answering /sparql")
    assert label_of_fresh(base) == ["Freshly Built Actor"]
    status, page = get(f"{base}/id/actor/freshly-built")
    assert status == 200 and "<h1>Freshly Built Actor</h1>" in page
    status, turtle = get(f"{base}/id/actor/freshly-built", "text/turtle")
    assert status == 200 and "Freshly Built Actor" in turtle
    status, landing = get(base + "/")
    assert 'href="/id/actor/freshly-built"' in landing
    status, dump = get(f"{base}/data/{paths.DATASET_FILE}", "application/trig")
    assert status == 200 and FRESH in dump
    # The old build's query workers are gone; the new one's answer every query.
    for _ in range(8):
        assert asks_fresh(base)


def test_the_browser_sees_the_new_build_at_phone_and_desktop_widths(
    server: tuple[str, Path, Path],
) -> None:
    """After a rebuild, the entity page and a query in the editor both show the new entity."""
    base, data_dir, _ = server
    if not asks_fresh(base):  # run alone: make the new build first
        original = (data_dir / paths.DATASET_FILE).read_text(encoding="utf-8")
        rebuild(data_dir, original + NEW_GRAPH)
        wait_for(lambda: asks_fresh(base), "the new build answering /sparql")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            for width in (390, 1280):
                context = browser.new_context(viewport={"width": width, "height": 900})
                context.set_default_timeout(15_000)
                page = context.new_page()
                page.goto(f"{base}/id/actor/freshly-built")
                expect(page.locator("h1")).to_have_text("Freshly Built Actor")
                page.goto(f"{base}/query")
                page.wait_for_function("() => window.natoIraqYasgui !== undefined")
                query = f"SELECT ?label WHERE {{ <{FRESH}> rdfs:label ?label }}"
                page.evaluate("(q) => { window.natoIraqYasgui.getTab().setQuery(q); }", query)
                page.locator(".yasqe .yasqe_queryButton").click()
                expect(page.locator(".yasr table.dataTable")).to_contain_text("Freshly Built Actor")
                context.close()
        finally:
            browser.close()
