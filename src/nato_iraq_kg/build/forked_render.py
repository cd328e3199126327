"""The build's rendering on two cores: the dataset dumps and the quality checks in a child.

The named-graph dumps (TriG, N-Quads: 9,946 statements in 331 graphs) took about as long as all
the other files together, and the quality checks read only the TriG. So after extraction a child
process (``os.fork``: it shares the extracted graphs without copying them) writes those two dumps
and runs the quality checks on its TriG while the parent writes the rest; the parent then adds
``void.ttl`` and the RO-Crate, which describe every file, exactly as :func:`.pipeline.render`.

The result is the same as rendering in one process: the same texts in the same order, the same
quality results. When the child fails in any way, the parent renders its dumps and runs the
checks itself, so an error is raised by the same writer, with the same message, as before.

The child can be forked before the build's last checks (:func:`start_render`, then
:meth:`PendingRender.finish`): they only read the graphs, so it writes while the parent checks.
When a check fails, the child is killed and its work dropped: the build fails as it always did.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..formats.registry import DUMPS, render_dumps_named, writers
from ..guard.fork_safety import fork_is_safe
from .forking import read_answer

if TYPE_CHECKING:
    from ..check.quality import QualityResult
    from .pipeline import BuildResult

#: The dumps the child writes: those that hold the named graphs.
CHILD_DUMPS = tuple(d.file for d in DUMPS if d.holds == "dataset")


def render_and_check(
    result: BuildResult, *, run_quality: bool = True
) -> tuple[dict[str, str], list[QualityResult] | None]:
    """Return what :func:`.pipeline.render` returns, and the quality checks' results.

    The quality results are None when the child could not give them, or was not asked to
    (``run_quality=False``: the screen child has them, :mod:`.screen_worker`): the caller runs
    the checks as before (and gets their error, if any, where it always did).
    """
    return start_render(result, run_quality=run_quality).finish()


@dataclass
class PendingRender:
    """A rendering whose child (if any) is at work: :meth:`finish` it, or :meth:`abandon` it."""

    result: BuildResult
    facts: Any
    pid: int | None = None
    read_end: int | None = None

    def finish(self) -> tuple[dict[str, str], list[QualityResult] | None]:
        """Render the parent's files, then take the child's; see :func:`render_and_check`."""
        from . import pipeline

        result, facts = self.result, self.facts
        if self.pid is None or self.read_end is None:
            return pipeline.render(result), None
        graphs = result.dataset_graphs()
        mine: dict[str, str | BaseException] = {}
        for dump in DUMPS:
            if dump.file not in CHILD_DUMPS:
                try:
                    mine.update(render_dumps_named(facts, graphs, (dump.file,)))
                except Exception as error:  # raised below, in the order the dumps are written
                    mine[dump.file] = error
        try:
            tables: dict[str, str] | BaseException = pipeline.render_tables_of(result, facts)
        except Exception as error:  # raised below, after every dump, where render() meets it
            tables = error
        data = read_answer(self.read_end, self.pid)
        self.pid = self.read_end = None
        try:
            child = pickle.loads(data) if data else None
        except Exception:
            child = None
        theirs, quality = child if child is not None else (None, None)
        files: dict[str, str] = {}
        for dump in DUMPS:
            if dump.file in CHILD_DUMPS:
                if theirs is None:
                    theirs = render_dumps_named(facts, graphs, CHILD_DUMPS)
                files[dump.file] = theirs[dump.file]
            else:
                text = mine[dump.file]
                if isinstance(text, BaseException):
                    raise text
                files[dump.file] = text
        if isinstance(tables, BaseException):
            raise tables
        return pipeline.render_rest(result, facts, files, tables), quality

    def abandon(self) -> None:
        """Kill and reap the child (the build failed before it needed the child's files)."""
        if self.pid is None or self.read_end is None:
            return
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self.read_end)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.pid = self.read_end = None


def start_render(result: BuildResult, *, run_quality: bool = True) -> PendingRender:
    """Fork the child that writes the TriG and N-Quads (and runs the quality checks unless
    ``run_quality`` is False); the caller may go on checking ``result``, then finishes it.

    No child is forked where that is unsafe (:mod:`..guard.fork_safety`): ``finish`` then
    renders everything in this process.
    """
    from . import pipeline

    facts = result.facts_view()  # made before the fork, so both processes share it
    if not fork_is_safe():
        return PendingRender(result, facts)
    writers()  # the writers' modules, imported (and compiled) once for both processes
    graphs = result.dataset_graphs()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        try:
            os.close(read_end)
            payload: Any = None
            try:
                texts = render_dumps_named(facts, graphs, CHILD_DUMPS)
                payload = (texts, None)
                if run_quality:
                    payload = (texts, pipeline.run_quality_checks_on(texts))
            except BaseException:  # the parent does what is missing and meets the error
                pass
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(payload, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            os._exit(0)
    os.close(write_end)
    return PendingRender(result, facts, pid, read_end)
