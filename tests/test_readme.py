"""The README shows real output: its `make run` summary is what a build prints today."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nato_iraq_kg.build.pipeline import assemble
from nato_iraq_kg.build.summary import summary_lines

ROOT = Path(__file__).resolve().parents[1]


def test_readme_summary_is_the_real_build_summary() -> None:
    """Every summary line a build prints appears verbatim in the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = summary_lines(assemble())
    assert len(lines) > 10
    missing = [line for line in lines if line not in readme]
    assert missing == []


def test_readme_shows_the_two_commands() -> None:
    """`make run` and `make test` are the first commands a newcomer sees."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    assert "make run" in first_block and "make test" in first_block


def test_readme_javascript_example_runs_and_prints_what_the_readme_says(tmp_path: Path) -> None:
    """The README's JavaScript snippet runs under Node and prints the output shown below it."""
    import shutil
    import subprocess

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = readme.split("```js\n", 1)[1].split("```", 1)[0]
    shown = readme.split("```js\n", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    script = tmp_path / "read.mjs"
    script.write_text(code, encoding="utf-8")
    node = shutil.which("node")
    assert node, "Node.js is part of the machine; the README example needs it"
    done = subprocess.run([node, str(script)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == shown


def test_readme_make_run_block_is_what_build_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``make run`` printed eight "Wrote" lines where the README showed two (issue 20, item 7).

    A real build in a copy of the project prints exactly the README's lines, in order, up to the
    question (and its cached validation is reused, so this stays fast).
    """
    import shutil

    from click.testing import CliRunner

    from nato_iraq_kg.cli import cli

    for folder in ("ontology", "data", "queries", ".cache"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.setenv("NATO_IRAQ_KG_ROOT", str(tmp_path))
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 0, result.stderr
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("`make run` prints (real output):\n\n```text\n", 1)[1]
    shown = block.split("\n\nQuestion:", 1)[0]
    assert result.stdout == shown + "\n"
    assert sum(line.startswith("Wrote ") for line in shown.splitlines()) == 1


def test_readme_version_output_is_what_version_prints() -> None:
    """The README's `--version` lines are today's real output, and the wheel is found by pattern."""
    done = subprocess.run(
        [sys.executable, "-m", "nato_iraq_kg", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"$ nato-iraq-kg --version\n{done.stdout}" in text
    assert "dist/nato_iraq_kg-0." not in text  # a version in the wheel's name would go stale
