"""Where the project's files are, found from the package so commands work from any folder.

The files live in one of three places, tried in this order:

1. ``$NATO_IRAQ_KG_ROOT``, when set: a checkout someone points us at;
2. the checkout this package sits in (``src/nato_iraq_kg`` of a clone, or an editable install);
3. the released copy inside an installed wheel, ``nato_iraq_kg/_release/``, found through
   :mod:`importlib.resources`. The wheel's build hook (``setup.py``) copies ``data/``,
   ``ontology/``, ``queries/`` and the release notes there, with a SHA-256 manifest, so git keeps
   one copy of each file and a ``pip install`` still carries the whole graph.

Every layout is the same below its root (``data/``, ``ontology/``, ``queries/``), so no caller
needs to know which one it got. A packaged copy is checked against its manifest once per process:
a damaged or missing file is named, instead of surfacing later as a parse error.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from importlib import resources
from pathlib import Path

from .errors import InputError

#: The facts alone, and the whole dataset (facts, evidence, derived graphs), as built.
FACTS_FILE = "nato-iraq.ttl"
DATASET_FILE = "nato-iraq.trig"
#: The dataset's VoID/DCAT description.
VOID_FILE = "void.ttl"
#: The hand-edited dataset version and release date.
RELEASE_FILE = "release.toml"
#: The folder inside the installed package that holds the released files, and their manifest.
PACKAGED_FOLDER = "_release"
MANIFEST_FILE = "MANIFEST.sha256"
ROOT_VARIABLE = "NATO_IRAQ_KG_ROOT"


def project_root() -> Path:
    """Return the folder that holds ``data/``, ``ontology/`` and ``queries/``.

    Raises:
        InputError: the installed package's released files are damaged (named in the message).
    """
    override = os.environ.get(ROOT_VARIABLE)
    if override:
        return Path(override).resolve()
    checkout = checkout_root()
    if checkout is not None:
        return checkout
    packaged = packaged_root()
    if packaged is not None:
        verify_packaged(packaged)
        return packaged
    return Path(__file__).resolve().parents[2]


def checkout_root() -> Path | None:
    """Return the source checkout this package was imported from, or None for an installed one."""
    candidate = Path(__file__).resolve().parents[2]
    if (candidate / "pyproject.toml").is_file() and (candidate / "data" / "source").is_dir():
        return candidate
    return None


def packaged_root() -> Path | None:
    """Return the released files shipped inside the installed package, or None if absent.

    Only a package installed as plain files counts (a wheel installed by pip is); a zipped
    import has no folder the other modules could open by path.
    """
    folder = resources.files(__package__) / PACKAGED_FOLDER
    if isinstance(folder, Path) and folder.is_dir():
        return folder.resolve()
    return None


def is_packaged(root: Path | None = None) -> bool:
    """Tell whether ``root`` (by default the one in use) is the installed package's copy."""
    packaged = packaged_root()
    return packaged is not None and (root or project_root()) == packaged


@cache
def verify_packaged(folder: Path) -> None:
    """Check every released file against the manifest the wheel was built with.

    Raises:
        InputError: naming the first file that is missing or whose bytes changed.
    """
    manifest = folder / MANIFEST_FILE
    advice = "reinstall nato-iraq-kg (pip install --force-reinstall)"
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(
            f"{manifest}: the installed package's file manifest is missing; {advice}"
        ) from exc
    for number, line in enumerate(lines, start=1):
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise InputError(f"{manifest}:{number}: not a 'sha256  path' line; {advice}")
        path = folder / name
        try:
            actual = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            raise InputError(f"{path}: missing from the installed package; {advice}") from exc
        if actual != digest:
            raise InputError(
                f"{path}: damaged (its SHA-256 differs from the package manifest); {advice}"
            )


def ontology_file(root: Path | None = None) -> Path:
    """Return the hand-edited OWL ontology."""
    return (root or project_root()) / "ontology" / "nato-iraq.ttl"


def shapes_file(root: Path | None = None) -> Path:
    """Return the SHACL shapes."""
    return (root or project_root()) / "ontology" / "shapes.ttl"


def source_dir(root: Path | None = None) -> Path:
    """Return the folder of source texts and their metadata."""
    return (root or project_root()) / "data" / "source"


def data_dir(root: Path | None = None) -> Path:
    """Return the folder the build writes to."""
    return (root or project_root()) / "data"


def release_file(root: Path | None = None) -> Path:
    """Return the file that holds the dataset version and its release date."""
    return data_dir(root) / RELEASE_FILE


def require_checkout(action: str, hint: str = "") -> None:
    """Refuse to write into an installed package, whose files are the release as shipped.

    Raises:
        InputError: one line saying that ``action`` needs a checkout (and ``hint``, if given).
    """
    if is_packaged():
        raise InputError(
            f"{action} needs a checkout of nato-iraq-kg (or ${ROOT_VARIABLE} pointing at one); "
            f"the installed package's files are read-only{hint}"
        )


def install_command(extra: str) -> str:
    """Return the command that installs one of our extras into the Python running us now.

    A bare ``pip`` may belong to another Python, and ``nato-iraq-kg[extra]`` is on no package
    index: so the hint names this interpreter's pip and, from a checkout, the checkout itself
    (editable, as the Makefile installs it), shortened to relative paths under the current folder.
    """

    def shown(path: Path | str) -> str:
        relative = os.path.relpath(path)
        return relative if not relative.startswith("..") else str(path)

    python = shown(sys.executable)
    root = project_root()
    if (root / "pyproject.toml").is_file():
        target = shown(root)
        return f"{python} -m pip install -e '{target}[{extra}]'"
    return f"{python} -m pip install 'nato-iraq-kg[{extra}]'"
