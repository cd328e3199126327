"""Serve the graph over HTTP: a read-only SPARQL endpoint, dereferenceable IRIs and downloads.

Kept as a subpackage with its own optional dependencies (Starlette, uvicorn) so that building and
querying the graph never needs a web stack; import :mod:`.app` only when serving.
"""

from __future__ import annotations

__all__ = ["create_app", "serve"]


def __getattr__(name: str) -> object:
    """Import the app lazily, so ``import nato_iraq_kg.serve`` works without Starlette."""
    if name in __all__:
        from . import app

        return getattr(app, name)
    raise AttributeError(name)
