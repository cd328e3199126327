"""The CLI's one error handler: every command's errors become one line and exit 1 or 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nato_iraq_kg import cli as cli_module
from nato_iraq_kg.cli import cli
from nato_iraq_kg.errors import CheckFailure, InputError

CONSOLE_SCRIPT = Path(sys.executable).parent / "nato-iraq-kg"


@pytest.mark.parametrize(("error", "code"), [(InputError("bad file"), 2), (CheckFailure("no"), 1)])
def test_a_toolkit_error_is_one_line_with_its_exit_code(monkeypatch, error, code) -> None:
    """A KGError raised anywhere in a command prints `error: ...` once and exits with its code."""

    def fail(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr("nato_iraq_kg.sparql.local.competency_questions", fail)
    result = CliRunner().invoke(cli, ["query", "--list"])
    assert result.exit_code == code
    assert result.stderr == f"error: {error}\n"


def test_an_unexpected_exception_is_one_line_and_exit_2_never_1(monkeypatch) -> None:
    """A bug is not a failed check: one line, exit 2, and the variable that shows the traceback."""

    def crash(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("nato_iraq_kg.sparql.local.competency_questions", crash)
    monkeypatch.delenv(cli_module.DEBUG_VARIABLE, raising=False)
    result = CliRunner().invoke(cli, ["query", "--list"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "internal error (ZeroDivisionError: division by zero)" in result.stderr
    assert "NATO_IRAQ_KG_DEBUG=1" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_debug_variable_lets_the_traceback_through(monkeypatch) -> None:
    """With NATO_IRAQ_KG_DEBUG=1 the original exception propagates (for a developer)."""

    def crash(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("nato_iraq_kg.sparql.local.competency_questions", crash)
    monkeypatch.setenv(cli_module.DEBUG_VARIABLE, "1")
    result = CliRunner().invoke(cli, ["query", "--list"])
    assert isinstance(result.exception, ZeroDivisionError)


def test_a_closed_pipe_ends_quietly_with_exit_0() -> None:
    """Regression: `query --list | head -1` exited 1 about half the time (broken pipe)."""
    assert CONSOLE_SCRIPT.exists()
    for _ in range(5):
        run = subprocess.run(
            f"'{CONSOLE_SCRIPT}' query --list | head -c 10; exit ${{PIPESTATUS[0]}}",
            shell=True,
            executable="/bin/bash",
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        assert run.stderr == ""
        assert len(run.stdout) == 10


def test_a_missing_reasoner_is_one_line_exit_2(monkeypatch) -> None:
    """`reason` without Java or owlready2: one line naming what to install, exit 2, no traceback."""
    from nato_iraq_kg.check import reasoning

    def unavailable(*args: object, **kwargs: object) -> None:
        raise reasoning.ReasonerUnavailable("owlready2 is not installed")

    monkeypatch.setattr(reasoning, "check_ontology", unavailable)
    result = CliRunner().invoke(cli, ["reason"])
    assert result.exit_code == 2
    assert result.stderr == "error: owlready2 is not installed\n"
