"""Fixtures shared across test modules: the built dataset, the shapes, an app client, real stores.

Each is read-only for the tests that use it, so one copy serves the whole session.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph
from starlette.testclient import TestClient

from nato_iraq_kg.build.pipeline import BuildResult, assemble
from nato_iraq_kg.check.shapes import load_shapes
from nato_iraq_kg.serve import create_app
from nato_iraq_kg.sparql.local import load_graph
from triplestores import oxigraph, virtuoso

__all__ = ["build", "client", "oxigraph", "shapes", "static_site", "store", "virtuoso"]
#: The address the static site's tests publish it at (its sitemap and w3id redirects name it).
SITE_URL = "https://kg.example.org/nato-iraq/"


@pytest.fixture(scope="session")
def store() -> Any:
    """The built dataset in an embedded Oxigraph store, loaded once."""
    return load_graph()


@pytest.fixture(scope="session")
def client(store: Any) -> Iterator[TestClient]:
    """A client of a server app with the default limits (its lifespan runs, so workers start)."""
    with TestClient(create_app(store=store)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def shapes() -> Graph:
    """The project's SHACL shapes, parsed once."""
    return load_shapes()


@pytest.fixture(scope="session")
def build() -> BuildResult:
    """The real build, assembled once."""
    return assemble()


@pytest.fixture(scope="session")
def static_site(store: Any) -> Iterator[Path]:
    """The static site, written once into a world-readable folder (Apache serves it as nobody)."""
    from nato_iraq_kg.site.writer import write_site

    with tempfile.TemporaryDirectory(prefix="nato-iraq-site-") as folder:
        Path(folder).chmod(0o755)
        site = Path(folder) / "site"
        write_site(site, SITE_URL, store=store)
        for path in [site, *site.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield site
