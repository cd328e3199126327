"""Watch for file and network access during a test, with Python's audit hooks.

An audit hook cannot be removed once added, so one hook is installed when this module is first
imported and records events only while some test is inside :func:`watched`. A plain global (not a
context variable) holds the recording, because the code under test may run in other threads: the
server runs queries in worker threads and Starlette's test client runs the app in its own thread.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

#: Audit events that mean the process reached for the network.
NETWORK_EVENTS = frozenset(
    {"urllib.Request", "socket.connect", "socket.getaddrinfo", "http.client.connect"}
)


@dataclass
class Recording:
    """What happened while watched: network events and every path passed to ``open``."""

    network: list[tuple[str, tuple]] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)

    def files_outside(self, *allowed: Path) -> list[str]:
        """Return opened paths under none of ``allowed`` nor the Python installation."""
        roots = [str(Path(p).resolve()) for p in allowed]
        roots += [sys.prefix, sys.base_prefix, sys.exec_prefix, "/dev/null", "/proc/self"]
        found = []
        for path in self.opened:
            resolved = str(Path(path).resolve()) if path else path
            if not any(resolved == root or resolved.startswith(root + "/") for root in roots):
                found.append(path)
        return found


_lock = threading.Lock()
_active: list[Recording] = []


def _hook(event: str, args: tuple) -> None:
    if not _active:
        return
    if event in NETWORK_EVENTS:
        for recording in list(_active):
            recording.network.append((event, args))
    elif event == "open" and isinstance(args[0], str | bytes | Path):
        path = args[0].decode() if isinstance(args[0], bytes) else str(args[0])
        for recording in list(_active):
            recording.opened.append(path)


sys.addaudithook(_hook)


@contextmanager
def watched() -> Iterator[Recording]:
    """Record network events and opened files until the block ends; blocks may nest."""
    recording = Recording()
    with _lock:
        _active.append(recording)
    try:
        yield recording
    finally:
        with _lock:
            _active.remove(recording)
