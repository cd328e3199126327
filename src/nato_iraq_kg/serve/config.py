"""What one server runs with: its limits and locations, and the plain-text answer for errors.

Shared by the endpoint, the linked-data routes and the app factory, so none of them needs the
others to know the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.responses import PlainTextResponse


@dataclass(frozen=True)
class ServerConfig:
    """The limits and locations one app runs with (kept in ``app.state.config``)."""

    data_dir: Path
    base_url: str
    query_timeout_s: float
    max_rows: int
    max_body_bytes: int
    max_concurrent: int
    slot_wait_s: float = 1.0
    cors_origins: tuple[str, ...] = ()


def text_response(message: str, status: int, **headers: str) -> PlainTextResponse:
    """Return a plain-text error (or notice) with the given status and headers."""
    return PlainTextResponse(message + "\n", status_code=status, headers=headers or None)
