"""End the ``validate`` command's process without freeing what it loaded, once it has answered.

At a million quads, Python's own exit frees the Oxigraph store quad by quad (0.8 s, measured
with pyoxigraph 0.5.13), then the rest of the heap: time spent after the verdict is printed,
on memory the operating system takes back at once anyway. So the command-line program flushes
its output, runs the ``atexit`` handlers as a normal exit would, and ends with ``os._exit``.

Only the program itself does this. Called in another process (a test's ``CliRunner``, a
Python session that imports the command), it raises ``SystemExit`` as before, so the caller
goes on and sees the same exit code.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from pathlib import Path
from typing import NoReturn

__all__ = ["exit_process", "is_the_program"]

#: The console script's name (``[project.scripts]``) and the package's ``python -m`` name.
PROGRAM = "nato-iraq-kg"
PACKAGE = "nato_iraq_kg"


def is_the_program() -> bool:
    """True when this process is the command-line program, its output not taken over by anyone.

    The program is started as the console script or as ``python -m nato_iraq_kg``; a harness
    that runs the command in its own process (``click.testing.CliRunner``, pytest's capture)
    replaces ``sys.stdout`` or ``sys.stderr``, and then the process is not ours to end.
    """
    started_as = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if started_as is None:
        return False
    named = started_as.stem == PROGRAM or (
        started_as.name == "__main__.py" and started_as.parent.name == PACKAGE
    )
    return named and sys.stdout is sys.__stdout__ and sys.stderr is sys.__stderr__


def exit_process(code: int) -> NoReturn:
    """Leave with ``code``: at once if this is the program (see above), else by ``SystemExit``.

    A normal exit is kept whenever ending at once could lose something: output that cannot be
    flushed (a closed pipe, reported by Python as always), or a thread Python would wait for.
    """
    if is_the_program() and not _threads_python_waits_for():
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            sys.exit(code)
        atexit._run_exitfuncs()
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            sys.exit(code)
        os._exit(code)
    sys.exit(code)


def _threads_python_waits_for() -> bool:
    """True when a thread other than this one is running and not a daemon."""
    current = threading.current_thread()
    return any(t is not current and not t.daemon and t.is_alive() for t in threading.enumerate())
