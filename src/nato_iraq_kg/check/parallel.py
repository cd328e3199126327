"""Run independent read-only jobs on an Oxigraph store on every core, in threads.

The screen and the quality checks are hundreds of independent SPARQL queries over one store:
about 13 s CPU at a million quads, one query after another. pyoxigraph lets go of Python's global
lock while Oxigraph evaluates a query (measured with pyoxigraph 0.5: two threads querying one
store use 1.9 cores), and its store may be read from several threads at once, so the queries
spread over the machine's cores with no copy of the data. (Loading does not spread: two
``bulk_load`` calls into one store take turns.)

The threads are daemon threads rather than a ``ThreadPoolExecutor``'s: ``validate --timeout``
reports a timeout and exits while the work still runs (:mod:`nato_iraq_kg.guard.time_budget`),
and Python waits at exit for every job queued in an executor, which would make the timeout wait
for the whole validation.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["run_jobs", "worker_count"]

T = TypeVar("T")

#: More threads than this gain nothing on the queries measured, and each holds its own
#: intermediate results.
MOST_THREADS = 4


def worker_count() -> int:
    """Return how many threads to run: the cores this process may use, at most MOST_THREADS."""
    usable = getattr(os, "sched_getaffinity", None)
    cores = len(usable(0)) if usable is not None else (os.cpu_count() or 1)
    return max(1, min(MOST_THREADS, cores))


def run_jobs(jobs: Sequence[Callable[[], T]], workers: int | None = None) -> list[T]:
    """Return each job's result, in the jobs' order; jobs start in that order on ``workers``.

    The calling thread works too, so one worker means no thread at all. Put the longest jobs
    first: the others fill in around them. If a job raises, no new job starts and the error of
    the first failed job (in the jobs' order) is raised once the running ones have finished.
    """
    count = min(workers or worker_count(), len(jobs))
    results: list[T | None] = [None] * len(jobs)
    errors: dict[int, BaseException] = {}
    pending = iter(range(len(jobs)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                index = None if errors else next(pending, None)
            if index is None:
                return
            try:
                results[index] = jobs[index]()
            except BaseException as error:  # handed to the caller below
                with lock:
                    errors[index] = error

    helpers = [threading.Thread(target=work, daemon=True) for _ in range(count - 1)]
    for helper in helpers:
        helper.start()
    work()
    for helper in helpers:
        helper.join()
    if errors:
        raise errors[min(errors)]
    return results  # type: ignore[return-value]  # every job ran: no None left
