"""The build pauses Python's cycle collector, and gives it back as it was, whatever happens."""

from __future__ import annotations

import gc

import pytest

from nato_iraq_kg.guard.cycle_collection import paused_cycle_collection


def test_the_collector_is_paused_inside_and_restored_after_an_error() -> None:
    """Enabled before: paused inside, enabled again after the block, even when it raises."""
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_cycle_collection():
        assert not gc.isenabled()
        raise RuntimeError("a failed build")
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused() -> None:
    """A caller that paused it itself gets it back paused."""
    gc.disable()
    try:
        with paused_cycle_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_failing_build_command_gives_the_collector_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """``build`` runs without the collector and restores it when it fails (here: no checkout)."""
    from click.testing import CliRunner

    from nato_iraq_kg import cli

    seen: list[bool] = []

    def failing(*_: object) -> None:
        seen.append(gc.isenabled())
        raise SystemExit(2)

    monkeypatch.setattr(cli, "_build", failing)
    result = CliRunner().invoke(cli.cli, ["build", "--check"])
    assert result.exit_code == 2
    assert seen == [False]
    assert gc.isenabled()
