"""Keep freed blocks of a megabyte in glibc's heap while a large file is written in blocks.

Why: an N-Triples export of a million statements makes a few hundred blocks of about 1 MiB each
(Oxigraph's text, the block of whole lines, its screened copy), frees each before the next, and
glibc's malloc gives memory that size back to the kernel on every free (``munmap``, or trimming
the top of the heap) and asks for it again for the next block: fresh pages, one page fault per
4 KiB, about 50,000 faults per half of the 1M corpus, a fifth of that half's CPU on a virtual
machine. Served from the heap, and not trimmed, the same pages are used again (1,400 faults).

Only glibc has ``mallopt`` with these settings; elsewhere this does nothing. The settings are
the process's own, so they are put back to glibc's defaults after the block and the heap is
trimmed: the only thing left changed is that glibc no longer raises its threshold for ``mmap``
by itself (speed only, never a result).
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the heap (glibc takes at most 32 MiB here).
KEPT_BLOCK_BYTES = 16 * 1024 * 1024
#: Free memory at the top of the heap kept rather than given back, while the block runs.
KEPT_TOP_BYTES = 512 * 1024 * 1024
#: glibc's defaults for both settings.
_GLIBC_DEFAULT = 128 * 1024


def _libc() -> Any | None:
    """Return the C library if it is glibc (it has ``mallopt`` and ``malloc_trim``), else None."""
    try:
        libc = ctypes.CDLL(None)  # the symbols the program has loaded, the C library's among them
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


@contextmanager
def kept_heap() -> Iterator[None]:
    """Serve blocks of up to 16 MiB from the heap and keep freed ones there, for the block."""
    libc = _libc()
    if libc is None:
        yield
        return
    libc.mallopt(_M_MMAP_THRESHOLD, KEPT_BLOCK_BYTES)
    libc.mallopt(_M_TRIM_THRESHOLD, KEPT_TOP_BYTES)
    try:
        yield
    finally:
        libc.mallopt(_M_MMAP_THRESHOLD, _GLIBC_DEFAULT)
        libc.mallopt(_M_TRIM_THRESHOLD, _GLIBC_DEFAULT)
        libc.malloc_trim(0)
