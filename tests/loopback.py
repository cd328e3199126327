"""Shared by the tests that start real servers: every one of them listens on 127.0.0.1 only."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen, grace_s: float = 10) -> None:
    """Ask a server process to stop, kill it if it has not within ``grace_s``, and reap it."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=grace_s)


def wait_until_answering(server: subprocess.Popen, url: str, timeout_s: float = 30) -> None:
    """Return once a GET of ``url`` answers 200; fail at once if ``server`` dies meanwhile, and
    after ``timeout_s`` if it never answers (servers take a moment to load and listen)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if server.poll() is not None:
            said = server.stderr.read().decode(errors="replace") if server.stderr else ""
            raise AssertionError(f"the server died while starting {said}".strip())
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)
