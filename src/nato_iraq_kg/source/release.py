"""The dataset release: its semantic version and release date, read from one hand-edited file.

The code has its own version (``nato_iraq_kg.__version__``); the data has this one, because the
graph can change without the code changing and the other way round. ``data/release.toml`` is the
only place either is written: the build copies it into every description of the release.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .. import paths
from ..errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: Semantic versioning 2.0.0, without build metadata (a release has none).
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?")


@dataclass(frozen=True)
class Release:
    """A dataset release: what people cite."""

    version: str
    issued: date


def load_release(root: Path | None = None) -> Release:
    """Read and check ``data/release.toml``.

    Raises:
        InputError: the file is missing, not TOML, or its version or date is malformed.
    """
    path = paths.release_file(root)
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the release file ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: malformed TOML: {exc}") from exc
    version, issued = table.get("version"), table.get("issued")
    if not isinstance(version, str) or not SEMVER.fullmatch(version):
        raise InputError(f"{path}: 'version' must be a semantic version such as \"1.0.0\"")
    if type(issued) is not date:  # a datetime is a date too, but a release has no time
        raise InputError(f"{path}: 'issued' must be a date such as 2026-12-03 (unquoted)")
    return Release(version=version, issued=issued)


def version_lines(code_version: str, root: Path | None = None) -> list[str]:
    """Return what ``--version`` prints: the code, the dataset release and each source revision."""
    from .revision import load_revisions

    release = load_release(root)
    lines = [
        f"nato-iraq-kg {code_version}",
        f"dataset {release.version} (released {release.issued.isoformat()})",
    ]
    for revision in load_revisions(paths.source_dir(root)):
        lines.append(
            f"source {revision.slug} ({revision.title}, last updated "
            f"{revision.last_updated_text}, sha256 {revision.sha256[:12]}…)"
        )
    return lines
