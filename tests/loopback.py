"""Shared by the tests that start real servers: every one of them listens on 127.0.0.1 only."""

from __future__ import annotations

import socket
import subprocess


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
