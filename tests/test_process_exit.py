"""`validate` ends its own process at once: every line still out, the same exit codes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from nato_iraq_kg.check.process_exit import is_the_program
from nato_iraq_kg.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "data" / "nato-iraq.trig"


def _dangling_references(tmp_path: Path, count: int) -> Path:
    """Return N-Triples with ``count`` untyped references: one result line each, exit 1."""
    lines = [
        "<https://w3id.org/nato-iraq-kg/id/actor/someone> "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/nato-iraq-kg/ontology#Actor> ."
    ]
    lines += [
        "<https://w3id.org/nato-iraq-kg/id/actor/someone> <http://xmlns.com/foaf/0.1/knows> "
        f"<https://w3id.org/nato-iraq-kg/id/actor/nobody-{number:05d}> ."
        for number in range(count)
    ]
    path = tmp_path / "dangling.nt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _program(*arguments: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m nato_iraq_kg`` with its output on pipes (block-buffered, as in a bench)."""
    return subprocess.run(
        [sys.executable, "-m", "nato_iraq_kg", *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_not_the_program_under_pytest() -> None:
    """A test process is never ended by the command: it is not the program."""
    assert not is_the_program()


def test_in_process_runs_still_raise_system_exit(tmp_path: Path) -> None:
    """Through CliRunner the command raises SystemExit, and the runner sees its code."""
    result = CliRunner().invoke(cli, ["validate", str(_dangling_references(tmp_path, 2))])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    result = CliRunner().invoke(cli, ["validate", str(DATASET)])
    assert result.exit_code == 0, result.output


def test_the_program_flushes_every_line_before_it_ends(tmp_path: Path) -> None:
    """Far more output than a pipe's buffer holds: every line and the summary come out, exit 1."""
    count = 3000
    ran = _program(
        "validate", str(_dangling_references(tmp_path, count)), "--max-results", "100000"
    )
    assert ran.returncode == 1, ran.stderr
    lines = ran.stdout.splitlines()
    assert sum("quality check untyped-entity-violation" in line for line in lines) == count
    assert lines[-1].startswith("Does not conform: ")
    assert "(untyped-entity-violation: 3000 rows)" in lines[-1]


@pytest.mark.parametrize("fmt", ["turtle", "json"])
def test_the_program_flushes_a_report_and_its_summary(tmp_path: Path, fmt: str) -> None:
    """A report on stdout and the summary on stderr both arrive whole."""
    ran = _program("validate", str(_dangling_references(tmp_path, 500)), "--format", fmt)
    assert ran.returncode == 1
    assert ran.stdout.count("nobody-") == 500
    assert ran.stderr.strip().splitlines()[-1].startswith("Does not conform: ")


def test_the_program_conforms_with_exit_zero() -> None:
    """The built dataset conforms: exit 0 and the summary line."""
    ran = _program("validate", str(DATASET))
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1].startswith("Conforms: ")


_SCRIPT = textwrap.dedent(
    """
    import atexit, sys, threading, time
    from nato_iraq_kg.check import process_exit
    sys.argv[0] = process_exit.__file__.replace("check/process_exit.py", "__main__.py")
    assert process_exit.is_the_program()
    atexit.register(lambda: print("atexit ran"))
    if sys.argv[1] == "thread":
        threading.Thread(target=lambda: (time.sleep(0.3), print("thread done"))).start()
    print("buffered " * 2000)
    process_exit.exit_process(3)
    """
)


@pytest.mark.parametrize("case", ["plain", "thread"])
def test_ending_at_once_keeps_atexit_handlers_and_waits_for_threads(case: str) -> None:
    """Ending at once still runs atexit handlers, and waits for a thread Python would wait for."""
    ran = subprocess.run(
        [sys.executable, "-c", _SCRIPT, case],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 3, ran.stderr
    assert ran.stdout.count("buffered") == 2000
    assert "atexit ran" in ran.stdout
    assert ("thread done" in ran.stdout) == (case == "thread")
