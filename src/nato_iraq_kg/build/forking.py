"""Reading a forked helper's answer without ever waiting for it forever.

The build hands work to forked children (:mod:`.forked_render`, :mod:`.screen_worker`) and
does it itself when a child fails. A child that hangs (a lock another thread of the parent held
at the fork, say, in a test process that runs servers) must not hang the build: after
:data:`PATIENCE` seconds the child is killed and counts as failed, so the build is slower, never
stuck and never different.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time

#: Seconds to wait for a child's whole answer (a build takes about one).
PATIENCE = 120.0


def read_answer(fd: int, pid: int, patience: float = PATIENCE) -> bytes | None:
    """Read ``fd`` to its end and reap ``pid``; None if the child took longer than ``patience``.

    Closes ``fd`` either way.
    """
    deadline = time.monotonic() + patience
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(left, 0))
            if not ready:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    os.waitpid(pid, 0)
    return b"".join(chunks)


def write_all(fd: int, data: bytes, patience: float = PATIENCE) -> bool:
    """Write ``data`` to ``fd`` and close it; False if the reader took longer than ``patience``
    (or is gone)."""
    deadline = time.monotonic() + patience
    view = memoryview(data)
    try:
        while view:
            _, ready, _ = select.select([], [fd], [], max(deadline - time.monotonic(), 0))
            if not ready:
                return False
            view = view[os.write(fd, view[: 1 << 16]) :]
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
