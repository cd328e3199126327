"""Where files are found: $NATO_IRAQ_KG_ROOT, then the checkout, then the packaged release.

The packaged release is checked against its SHA-256 manifest, so a damaged file is named in one
line instead of failing later as a parse error. (tests/test_wheel.py checks the same end to end
from an installed wheel.)
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nato_iraq_kg import paths
from nato_iraq_kg.errors import InputError
from nato_iraq_kg.source.release import load_release

ROOT = Path(__file__).resolve().parents[1]


def _release(folder: Path) -> Path:
    """Lay out a tiny packaged release with a correct manifest; return its folder."""
    files = {"data/nato-iraq.trig": b"<a> <b> <c> .\n", "ontology/shapes.ttl": b"# shapes\n"}
    lines = []
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
    (folder / paths.MANIFEST_FILE).write_text("".join(lines), encoding="utf-8")
    return folder


def test_root_variable_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """$NATO_IRAQ_KG_ROOT points everything at the folder it names."""
    monkeypatch.setenv(paths.ROOT_VARIABLE, str(tmp_path))
    assert paths.project_root() == tmp_path.resolve()
    assert paths.ontology_file() == tmp_path.resolve() / "ontology" / "nato-iraq.ttl"


def test_checkout_is_found_without_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from this checkout (an editable install), the checkout is the root, not a copy."""
    monkeypatch.delenv(paths.ROOT_VARIABLE, raising=False)
    assert paths.project_root() == ROOT
    assert paths.checkout_root() == ROOT
    assert not paths.is_packaged()


def test_intact_release_passes(tmp_path: Path) -> None:
    """A packaged release whose files match the manifest is accepted."""
    paths.verify_packaged(_release(tmp_path))


def test_damaged_file_is_named(tmp_path: Path) -> None:
    """A file whose bytes changed is named, with what to do."""
    folder = _release(tmp_path)
    (folder / "data" / "nato-iraq.trig").write_bytes(b"<a> <b> <d> .\n")
    with pytest.raises(InputError, match=r"nato-iraq\.trig: damaged .*reinstall"):
        paths.verify_packaged(folder)


def test_missing_file_is_named(tmp_path: Path) -> None:
    """A file the manifest lists but the install lacks is named."""
    folder = _release(tmp_path)
    (folder / "ontology" / "shapes.ttl").unlink()
    with pytest.raises(InputError, match=r"shapes\.ttl: missing from the installed package"):
        paths.verify_packaged(folder)


def test_missing_or_malformed_manifest(tmp_path: Path) -> None:
    """No manifest, or a line that is not 'sha256  path', is reported, never a traceback."""
    missing = tmp_path / "a"
    missing.mkdir()
    with pytest.raises(InputError, match="manifest is missing"):
        paths.verify_packaged(missing)
    malformed = _release(tmp_path / "b")
    (malformed / paths.MANIFEST_FILE).write_text("not a line\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"MANIFEST\.sha256:1: not a 'sha256  path' line"):
        paths.verify_packaged(malformed)


def test_require_checkout_passes_in_a_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a checkout, commands that write data/ or the curated files are allowed."""
    monkeypatch.delenv(paths.ROOT_VARIABLE, raising=False)
    paths.require_checkout("build")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('version = "1.0"\nissued = 2026-12-03\n', "semantic version"),
        ('version = "1.0.0"\nissued = "2026-12-03"\n', "must be a date"),
        ('version = "1.0.0"\nissued = 2026-12-03T10:00:00\n', "must be a date"),
        ("version = \n", "malformed TOML"),
    ],
)
def test_malformed_release_file_is_refused(tmp_path: Path, text: str, message: str) -> None:
    """data/release.toml with a bad version or date is refused by name."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "release.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_release(tmp_path)
