"""The endpoint's concurrency cap: a fixed number of slots, handed over first come, first served.

A query over the limit waits a bounded time for a slot and is then told to come back (429)
rather than queue behind slow queries without end. While it waits it costs only a pending
future: a freed slot goes straight to the longest-waiting query (no polling delay, no
starvation), which is what keeps the latency of a busy endpoint flat.

Slots may be taken and given back from different event loops (tests run one app under several),
so the hand-over goes through ``call_soon_threadsafe`` on the waiter's own loop and the count is
guarded by a lock.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque


class Slots:
    """At most ``limit`` holders at once; others wait in arrival order, each for a bounded time."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("at least one slot is needed")
        self.limit = limit
        self.in_use = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> bool:
        """Take a slot if one is free and nobody is waiting for it; say whether it was taken."""
        with self._lock:
            if self.in_use >= self.limit or self._waiters:
                return False
            self.in_use += 1
            return True

    def release(self) -> None:
        """Give a slot back: to the longest-waiting query if there is one, else to the pool."""
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                if not waiter.done():
                    # The slot stays counted as in use: it changes hands, it is not freed.
                    waiter.get_loop().call_soon_threadsafe(self._grant, waiter)
                    return
            self.in_use -= 1

    def _grant(self, waiter: asyncio.Future[None]) -> None:
        """Hand a slot to ``waiter`` on its loop; if it gave up meanwhile, pass the slot on."""
        if waiter.done():
            self.release()
        else:
            waiter.set_result(None)

    async def wait(self, wait_s: float) -> bool:
        """Take a slot, waiting at most ``wait_s`` for one; say whether it was taken.

        Slots come back when a query ends or hits its time limit, so a query that arrives while
        a burst holds every slot gets in as soon as one ends, if that is within ``wait_s``.
        """
        if self.acquire():
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._lock:
            if self.in_use < self.limit and not self._waiters:  # freed just now
                self.in_use += 1
                return True
            self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, wait_s)
        except asyncio.CancelledError:  # the client went away while waiting
            if waiter.done() and not waiter.cancelled():
                self.release()  # it had just been handed a slot: pass it on
            raise
        except TimeoutError:
            # wait_for cancelled the future, so a hand-over still on its way passes the slot on.
            with self._lock:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            return False
        return True
