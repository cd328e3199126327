"""Work without Python's cycle collector, which rescans every live object as many are made.

A build makes some hundred thousand tuples, terms and dicts (ten thousand statements in 331
graphs, their texts) and keeps almost all of them to the end, so the collector's 200 passes
found nothing to free and cost about a twentieth of the parent's CPU; its forked children
inherit the pause. An export makes millions of tuples, lists and dicts and no reference cycle:
the collector's passes cost about a tenth of a 1M JSON-LD export. Reference counting still
frees everything without a cycle; the few cycles (rdflib's graph objects) wait for the process
to end: half a MiB more at the peak of a build.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector for the block (as it was before, after it, whatever happens)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
