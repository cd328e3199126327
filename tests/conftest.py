"""Fixtures shared across folders: the real triplestores the publish tests run against."""

from triplestores import oxigraph, virtuoso

__all__ = ["oxigraph", "virtuoso"]
