"""pyld, the reference JSON-LD processor, run offline: any remote document is refused."""

from __future__ import annotations

import json
from typing import Any, NoReturn


class RemoteDocumentRefused(RuntimeError):
    """Raised when a JSON-LD processor asks to load a document or context from a URL."""


def _refuse_remote(url: str, options: Any = None) -> NoReturn:
    raise RemoteDocumentRefused(f"refusing to load a JSON-LD document from {url}")


def expand_with_pyld(document: str) -> list:
    """Expand ``document`` with pyld, refusing (raising) any attempt to load a remote document."""
    from pyld import jsonld
    from pyld.context_resolver import ContextResolver

    options = {"documentLoader": _refuse_remote}
    # A private cache: pyld's shared one could hold a context some other caller fetched.
    options["contextResolver"] = ContextResolver({}, _refuse_remote)
    try:
        return jsonld.expand(json.loads(document), options)
    except Exception as error:
        cause: BaseException | None = error
        while cause is not None and not isinstance(cause, RemoteDocumentRefused):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise cause from error
        raise
