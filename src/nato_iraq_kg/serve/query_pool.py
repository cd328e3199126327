"""Run endpoint queries in worker processes, so a query past its time limit is really stopped.

pyoxigraph has no way to cancel a running query, and a thread cannot be killed: a query that
overran its limit would go on using a core (and memory) after its client was told 503. Each
worker here is a process with its own copy of the store; a query that overruns is stopped by
killing its worker, which is replaced in the background. The HTTP side stays in one process and
only ever waits on a pipe, so a heavy query never stalls the event loop nor the cheap queries
running in the other workers.

Workers start on demand (at most ``size``), load the dataset once, and then answer one query at
a time. The pool is used from worker threads of the event loop (``asyncio.to_thread``) and is
safe to share between threads; it does not depend on which event loop serves the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue
import threading
import weakref
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .sparql_protocol import Answer, QueryRefused

#: How long a new worker may take to start and load the dataset before we give up on it.
START_TIMEOUT_S = 60.0
#: spawn, not fork: the server process runs threads (the event loop's pool), and forking a
#: process with threads can copy a held lock into the child.
_CONTEXT = multiprocessing.get_context("spawn")


class WorkerFailed(RuntimeError):
    """A worker stopped without answering (it crashed, ran out of memory, or failed to start)."""


class NotDelivered(WorkerFailed):
    """The worker had died before it got the query, so the query can go to another."""


@dataclass(frozen=True)
class DatasetSource:
    """Where a worker gets its data: a dataset file (TriG/N-Quads), or N-Quads bytes."""

    path: Path | None = None
    nquads: bytes | None = None

    @classmethod
    def of_store(cls, store: Any) -> DatasetSource:
        """Snapshot a pyoxigraph store as N-Quads, for a store built in memory (e.g. in tests)."""
        import pyoxigraph

        return cls(nquads=store.dump(format=pyoxigraph.RdfFormat.N_QUADS))


def _load(source: DatasetSource) -> Any:
    """Load the worker's store from ``source``."""
    import pyoxigraph

    store = pyoxigraph.Store()
    if source.path is not None:
        fmt = pyoxigraph.RdfFormat.from_extension(source.path.suffix.lstrip(".")) or (
            pyoxigraph.RdfFormat.TRIG
        )
        store.bulk_load(path=str(source.path), format=fmt)
    elif source.nquads:
        store.bulk_load(source.nquads, format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def _limit_memory(max_memory_bytes: int | None) -> None:
    """Cap the worker's address space, so a result bomb ends this worker, not the machine."""
    if not max_memory_bytes:
        return
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (max_memory_bytes, max_memory_bytes))


def worker_main(conn: Connection, source: DatasetSource, max_memory_bytes: int | None) -> None:
    """The body of a worker process: load the store, then answer queries until the pipe closes.

    Each request is ``(sparql, fmt, max_rows)``; each reply is ``("ok", Answer)``,
    ``("refused", message, status)`` or ``("error", message)``. Exceptions travel as plain
    tuples because exception objects with extra fields do not survive pickling reliably.
    """
    from .sparql_protocol import execute

    try:
        store = _load(source)
        _limit_memory(max_memory_bytes)
    except Exception as exc:  # reported to the parent, which fails the query with it
        conn.send(("error", f"cannot load the dataset: {exc}"))
        return
    try:
        conn.send(("ready",))
    except OSError:  # the server stopped while we were loading: nobody to serve
        return
    while True:
        try:
            sparql, fmt, max_rows = conn.recv()
        except (EOFError, OSError):  # the server went away: so do we
            return
        try:
            reply: tuple[Any, ...] = ("ok", execute(store, sparql, fmt, max_rows=max_rows))
        except QueryRefused as refused:
            reply = ("refused", str(refused), refused.status)
        except MemoryError:
            reply = ("error", "the query needed more memory than a query may use")
        except Exception as exc:  # any other failure is this query's, not the worker's
            reply = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


class _Worker:
    """One worker process and our end of its pipe."""

    def __init__(self, source: DatasetSource, max_memory_bytes: int | None) -> None:
        parent, child = _CONTEXT.Pipe()
        self.conn = parent
        self.process = _CONTEXT.Process(
            target=worker_main,
            args=(child, source, max_memory_bytes),
            name="sparql-worker",
            daemon=True,
        )
        self.process.start()
        child.close()
        if not parent.poll(START_TIMEOUT_S):
            self.stop()
            raise WorkerFailed(f"a query worker did not start within {START_TIMEOUT_S:g} s")
        try:
            message = parent.recv()
        except (EOFError, OSError) as exc:
            self.stop()
            raise WorkerFailed("a query worker stopped while loading the dataset") from exc
        if message[0] != "ready":
            self.stop()
            raise WorkerFailed(message[1])

    def ask(self, sparql: str, fmt: str, max_rows: int, timeout_s: float) -> tuple[Any, ...]:
        """Send one query and wait at most ``timeout_s`` for the reply.

        Raises:
            TimeoutError: no reply in time (the caller then stops this worker).
            WorkerFailed: the worker died while working on it.
        """
        if not self.alive():
            raise NotDelivered("the query worker had stopped")
        try:
            self.conn.send((sparql, fmt, max_rows))
        except OSError as exc:  # BrokenPipeError, ConnectionResetError: it died just now
            raise NotDelivered("the query worker had stopped") from exc
        if not self.conn.poll(timeout_s):
            raise TimeoutError(f"no answer within {timeout_s:g} s")
        try:
            return self.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerFailed("the query worker stopped while running the query") from exc

    async def ask_async(
        self, sparql: str, fmt: str, max_rows: int, timeout_s: float
    ) -> tuple[Any, ...]:
        """:meth:`ask` for the event loop: wait for the reply on the pipe, not in a thread.

        The query is a small message, so sending it does not block; the wait is a reader
        callback on the pipe, so thousands of short queries cost no thread hand-offs.
        """
        if not self.alive():
            raise NotDelivered("the query worker had stopped")
        try:
            self.conn.send((sparql, fmt, max_rows))
        except OSError as exc:
            raise NotDelivered("the query worker had stopped") from exc
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        descriptor = self.conn.fileno()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(descriptor, readable)
        try:
            await asyncio.wait_for(ready, timeout_s)
        except TimeoutError:
            raise TimeoutError(f"no answer within {timeout_s:g} s") from None
        finally:
            loop.remove_reader(descriptor)
            # uvloop makes a watched descriptor non-blocking; recv() must wait for the rest of a
            # long answer (it arrives in pieces), and send() must not fail with EAGAIN next time.
            os.set_blocking(descriptor, True)
        try:
            return self.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerFailed("the query worker stopped while running the query") from exc

    def alive(self) -> bool:
        """Say whether the process is still running."""
        return self.process.is_alive()

    def stop(self) -> None:
        """Kill the process (a query in progress cannot be stopped any other way) and reap it."""
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class QueryPool:
    """Up to ``size`` worker processes running queries against copies of one dataset.

    Callers bound their own concurrency (the endpoint's slots) to ``size``; :meth:`run` blocks,
    so call it from a thread (``asyncio.to_thread``).
    """

    def __init__(
        self,
        source: DatasetSource,
        size: int,
        *,
        max_memory_bytes: int | None = None,
    ) -> None:
        if size < 1:
            raise ValueError("a query pool needs at least one worker")
        self.source = source
        self.size = size
        self.max_memory_bytes = max_memory_bytes
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._started = 0  # workers alive or starting
        self._closed = False
        #: Workers stopped because a query overran or crashed them: for the tests and the logs.
        self.discarded = 0
        # An app dropped without shutting down (as in tests) still stops its idle workers.
        weakref.finalize(self, _stop_all, self._idle)

    def run(self, sparql: str, fmt: str, *, max_rows: int, timeout_s: float) -> Answer:
        """Run a vetted query in a worker and return its serialised answer (blocking).

        Raises:
            QueryRefused: the query does not parse, or its answer cannot take ``fmt``.
            TimeoutError: it ran past ``timeout_s``; its worker was killed and is being replaced.
            WorkerFailed: the worker crashed or could not start.
        """
        # A worker found dead before it got the query (killed while idle, say by the OOM
        # killer) is replaced and the query goes to another: it never ran, so that is safe.
        for _ in range(self.size + 1):
            worker = self._take(timeout_s)
            try:
                reply = worker.ask(sparql, fmt, max_rows, timeout_s)
            except NotDelivered:
                self._discard(worker)
                continue
            except BaseException:  # overran, died, or we were interrupted: state unknown
                self._discard(worker)
                raise
            self._give_back(worker)
            return _outcome(reply)
        raise WorkerFailed("no query worker could take the query")

    async def run_async(self, sparql: str, fmt: str, *, max_rows: int, timeout_s: float) -> Answer:
        """:meth:`run` for the event loop, with the same answers and errors.

        Only starting or stopping a worker (rare, and slow) goes to a thread.
        """
        for _ in range(self.size + 1):
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = await asyncio.to_thread(self._take, timeout_s)
            try:
                reply = await worker.ask_async(sparql, fmt, max_rows, timeout_s)
            except NotDelivered:
                await asyncio.to_thread(self._discard, worker)
                continue
            except BaseException:  # overran, died, or the request was cancelled
                await asyncio.shield(asyncio.to_thread(self._discard, worker))
                raise
            self._give_back(worker)
            return _outcome(reply)
        raise WorkerFailed("no query worker could take the query")

    def warm(self, count: int = 1) -> list[threading.Thread]:
        """Start up to ``count`` workers in the background, so first queries need not wait."""
        threads = [
            threading.Thread(target=self._start_idle, name="sparql-worker-start", daemon=True)
            for _ in range(count)
        ]
        for thread in threads:
            thread.start()
        return threads

    def fill(self) -> None:
        """Start workers (in parallel) until the pool is full, and wait until they are ready."""
        for thread in self.warm(self.size):
            thread.join()

    def _start_idle(self) -> None:
        with contextlib.suppress(WorkerFailed):
            worker = self._start()
            if worker is not None:
                self._give_back(worker)

    def _start(self) -> _Worker | None:
        """Start a worker if the pool has room (None if it is full or closed)."""
        with self._lock:
            if self._closed or self._started >= self.size:
                return None
            self._started += 1
        try:
            return _Worker(self.source, self.max_memory_bytes)
        except BaseException:
            with self._lock:
                self._started -= 1
            raise

    def _take(self, wait_s: float) -> _Worker:
        """Return an idle worker, starting one if the pool is not full, else wait for one."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        if self._closed:
            raise WorkerFailed("the query pool is closed")
        worker = self._start()
        if worker is not None:
            return worker
        try:
            return self._idle.get(timeout=max(wait_s, START_TIMEOUT_S))
        except queue.Empty as exc:
            raise WorkerFailed("no query worker became free in time") from exc

    def _give_back(self, worker: _Worker) -> None:
        """Return a worker to the idle queue (or stop it if it died or the pool closed)."""
        if self._closed:
            worker.stop()
            with self._lock:
                self._started -= 1
        elif not worker.alive():
            self._discard(worker)
        else:
            self._idle.put(worker)

    def _discard(self, worker: _Worker) -> None:
        """Kill ``worker`` and start a fresh one in its place, in the background."""
        worker.stop()
        with self._lock:
            self._started -= 1
            self.discarded += 1
        self.warm(1)

    def close(self) -> None:
        """Stop every idle worker; busy ones are stopped when their query returns."""
        with self._lock:
            self._closed = True
        with self._lock:
            self._started -= _stop_all(self._idle)


def _outcome(reply: tuple[Any, ...]) -> Answer:
    """Turn a worker's reply into the answer, or raise the error it reports."""
    if reply[0] == "ok":
        return reply[1]
    if reply[0] == "refused":
        raise QueryRefused(reply[1], reply[2])
    raise WorkerFailed(reply[1])


def _stop_all(idle: queue.SimpleQueue[_Worker]) -> int:
    """Stop every worker in ``idle`` and return how many there were."""
    stopped = 0
    while True:
        try:
            worker = idle.get_nowait()
        except queue.Empty:
            return stopped
        worker.stop()
        stopped += 1
