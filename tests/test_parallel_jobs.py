"""Jobs on every core (nato_iraq_kg.check.parallel): answers in order, errors as in one thread."""

from __future__ import annotations

import threading
import time

import pyoxigraph
import pytest

from nato_iraq_kg.check.parallel import run_jobs, worker_count


def test_results_come_in_the_jobs_order_whatever_finishes_first() -> None:
    """A slow first job still gives the first result."""

    def job(index: int) -> int:
        time.sleep(0.02 if index == 0 else 0)
        return index * 10

    jobs = [lambda i=i: job(i) for i in range(20)]
    assert run_jobs(jobs, workers=4) == [i * 10 for i in range(20)]
    assert run_jobs(jobs, workers=1) == [i * 10 for i in range(20)]
    assert run_jobs([], workers=4) == []


def test_one_worker_runs_every_job_in_the_calling_thread() -> None:
    """No thread is started for one worker."""
    threads = run_jobs([threading.get_ident for _ in range(5)], workers=1)
    assert set(threads) == {threading.get_ident()}


def test_the_first_failing_job_in_order_is_raised_and_no_job_starts_after() -> None:
    """Two failures: the earlier job's error, as running the jobs one by one would raise."""
    started: list[int] = []

    def job(index: int) -> int:
        started.append(index)
        if index == 3:
            time.sleep(0.05)  # fails after job 5 has
            raise ValueError("three")
        if index == 5:
            raise KeyError("five")
        time.sleep(0.01)
        return index

    with pytest.raises(ValueError, match="three"):
        run_jobs([lambda i=i: job(i) for i in range(40)], workers=3)
    assert max(started) < 39  # stopped early
    with pytest.raises(ValueError, match="three"):
        run_jobs([lambda i=i: job(i) for i in range(40)], workers=1)


def test_queries_on_one_store_from_several_threads_give_one_thread_s_answers() -> None:
    """The store is read by several threads at once: every answer is the one-thread answer."""
    store = pyoxigraph.Store()
    predicate = pyoxigraph.NamedNode("http://e/p")
    store.extend(
        pyoxigraph.Quad(pyoxigraph.NamedNode(f"http://e/{i}"), predicate, pyoxigraph.Literal(i))
        for i in range(2000)
    )

    def count_above(limit: int) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <http://e/p> ?o FILTER (?o > {limit}) }}"
        return int(next(iter(store.query(query)))["n"].value)

    jobs = [lambda i=i: count_above(i * 50) for i in range(40)]
    assert run_jobs(jobs, workers=4) == [max(0, 1999 - i * 50) for i in range(40)]


def test_worker_count_is_between_one_and_the_cap() -> None:
    """At least one thread, never more than the cap."""
    assert 1 <= worker_count() <= 4
