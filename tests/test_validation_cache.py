"""The build's validation cache (nato_iraq_kg.check.cache): reused only for identical input."""

from __future__ import annotations

from pathlib import Path

import pytest

from nato_iraq_kg.build.pipeline import VOID_FILE, BuildResult, assemble, render, validate_outputs
from nato_iraq_kg.check import shapes as validate
from nato_iraq_kg.check.shapes import ValidationReport


@pytest.fixture(scope="module")
def built() -> tuple[BuildResult, dict[str, str]]:
    """Assemble and render the real build once for the module."""
    result = assemble()
    return result, render(result)


def refuse_to_validate(*_: object, **__: object) -> ValidationReport:
    """Stand in for the validator where a test expects the cache to answer instead."""
    raise AssertionError("validated again although the input was unchanged")


def test_unchanged_output_reuses_the_results(
    built: tuple[BuildResult, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second validation of byte-identical files returns the same results without pyshacl."""
    result, files = built
    first = validate_outputs(result, files, cache=tmp_path)
    assert first.conforms
    monkeypatch.setattr(validate, "validate_graph", refuse_to_validate)
    again = validate_outputs(result, files, cache=tmp_path)
    assert again.results == first.results
    assert again.conforms == first.conforms


def test_changed_output_is_validated_again(
    built: tuple[BuildResult, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One changed byte in any rendered file is a cache miss: the validator runs."""
    result, files = built
    validate_outputs(result, files, cache=tmp_path)
    changed = dict(files)
    changed[VOID_FILE] = files[VOID_FILE] + "\n"
    monkeypatch.setattr(validate, "validate_graph", refuse_to_validate)
    with pytest.raises(AssertionError, match="validated again"):
        validate_outputs(result, changed, cache=tmp_path)


def test_no_cache_always_validates(
    built: tuple[BuildResult, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With use_cache=False a stored entry is ignored and nothing is stored."""
    result, files = built
    validate_outputs(result, files, cache=tmp_path)
    monkeypatch.setattr(validate, "validate_graph", refuse_to_validate)
    with pytest.raises(AssertionError, match="validated again"):
        validate_outputs(result, files, cache=tmp_path, use_cache=False)


def test_corrupt_entry_is_a_miss(built: tuple[BuildResult, dict[str, str]], tmp_path: Path) -> None:
    """A damaged cache file is ignored and replaced by a fresh validation."""
    result, files = built
    validate_outputs(result, files, cache=tmp_path)
    entries = list(tmp_path.glob("*.json"))
    assert len(entries) == 1
    entries[0].write_text("{not json", encoding="utf-8")
    report = validate_outputs(result, files, cache=tmp_path)
    assert report.conforms
    assert entries[0].read_text(encoding="utf-8").startswith("{\n")
