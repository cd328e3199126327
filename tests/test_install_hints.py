"""A command whose optional package is missing says, in one line, what to run to install it."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from nato_iraq_kg.cli import cli


def test_reason_without_owlready2_names_the_reason_extra_and_this_pythons_pip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``reason`` without owlready2 printed a 37-line traceback; now one line and exit 2.

    The hint names the ``reason`` extra and this interpreter's pip, not a bare ``pip``
    (issue 20, item 3; issue 22, item 6).
    """
    monkeypatch.setitem(sys.modules, "owlready2", None)
    result = CliRunner().invoke(cli, ["reason"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: the reasoner needs owlready2")
    assert "[reason]'" in lines[0]
    assert "python" in lines[0] and " -m pip install -e " in lines[0]


def test_serve_without_its_extra_names_this_pythons_pip_and_the_checkout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``pip install 'nato-iraq-kg[serve]'`` is on no index: the hint installs from the checkout."""
    for name in [m for m in sys.modules if m.startswith(("nato_iraq_kg.serve", "starlette"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "starlette", None)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: the server needs starlette, which is not installed: ")
    assert " -m pip install -e " in result.stderr and "[serve]'" in result.stderr
