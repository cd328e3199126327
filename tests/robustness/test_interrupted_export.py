"""Catalogue case 39: an export killed or out of space mid-write leaves the previous file whole.

Both faults are real, in a child process: a file-size limit (``RLIMIT_FSIZE``, which fails the
write the way a full disk does) and ``SIGKILL`` while a large file is being written.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from click.testing import CliRunner

from nato_iraq_kg.cli import cli

OLD = "@prefix ex: <http://example.org/> .\nex:a ex:p 1 .\n"


def child(script: str) -> subprocess.Popen[str]:
    """Start a Python child running ``script``."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_case_39_a_full_disk_leaves_the_old_export_and_no_temporary(tmp_path: Path) -> None:
    """Case 39: the write fails (file-size limit): old file intact, temporary removed, error."""
    target = tmp_path / "nato-iraq.ttl"
    target.write_text(OLD, encoding="utf-8")
    process = child(
        f"""
        import resource, signal
        from pathlib import Path
        from nato_iraq_kg.formats.turtle import write_atomically
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        write_atomically(Path({str(target)!r}), "ex:b ex:p 2 .\\n" * 100_000)
        """
    )
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "File too large" in stderr or "No space" in stderr
    assert target.read_text(encoding="utf-8") == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nato-iraq.ttl"]


def test_case_39_a_killed_export_leaves_the_old_file_whole(tmp_path: Path) -> None:
    """Case 39: SIGKILL in the middle of writing: the final path holds the old file, untruncated."""
    target = tmp_path / "nato-iraq.ttl"
    target.write_text(OLD, encoding="utf-8")
    process = child(
        f"""
        import time
        from pathlib import Path
        from nato_iraq_kg.formats import turtle as serialize
        def slow_fsync(fd):
            print("writing", flush=True)
            time.sleep(30)
        serialize.os.fsync = slow_fsync
        serialize.write_atomically(Path({str(target)!r}), "ex:b ex:p 2 .\\n" * 1_000_000)
        """
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "writing"  # the content is written, not renamed
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert target.read_text(encoding="utf-8") == OLD
    leftovers = [p for p in tmp_path.iterdir() if p.name != target.name]
    assert all(p.name.startswith(".nato-iraq.ttl.") for p in leftovers)


def test_case_39_the_export_command_refuses_an_unwritable_target(tmp_path: Path) -> None:
    """Case 39 through the CLI: a target folder that does not exist: exit 2, nothing written."""
    target = tmp_path / "missing" / "nato-iraq.ttl"
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["export", "--format", "ttl", "-o", str(target)])
    assert result.exit_code == 2
    assert "nothing written" in result.stderr
    assert not target.parent.exists()
    assert time.monotonic() - start < 60
