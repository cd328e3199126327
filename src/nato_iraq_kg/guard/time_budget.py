"""A time budget for one-shot commands whose work cannot be interrupted."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import InputError

T = TypeVar("T")


def within_time_budget(work: Callable[[], T], seconds: float, what: str) -> T:
    """Return ``work()``, or raise InputError "<what> timed out" once ``seconds`` have passed.

    The work runs in a daemon thread, which Python cannot stop: this is for commands that end
    when the error is reported (the thread then dies with the process), not for servers.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed back to the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, name=what, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise InputError(f"{what} timed out after {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
