"""Whether this process may fork a helper child without risking a child that hangs.

The build (its render and screen children) and the export (its pieces) hand work to forked
children. ``fork`` copies only the calling thread: a lock another thread held at that moment
stays held forever in the child (a logging handler, an allocator, a server's queue), and the
child hangs on it. So a helper is forked only where ``fork`` exists and no other thread is
running; anywhere else (a server, a test runner with servers in threads) the work is done in
process, slower and the same.
"""

from __future__ import annotations

import os
import threading


def fork_is_safe() -> bool:
    """Return True where ``os.fork`` exists and this process runs no other thread."""
    return hasattr(os, "fork") and threading.active_count() == 1
