"""The package's floor plan: subpackages by pipeline stage, imports only pointing down."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "nato_iraq_kg"

#: Each part of the package and its stage; a module may import its own stage or a lower one.
STAGES: dict[str, int] = {
    "": 0,  # the package root: __version__ and the public API's lazy wrappers
    "errors": 0,
    "paths": 0,
    "namespaces": 0,
    "guard": 1,
    "source": 2,
    "curation": 3,
    "extract": 4,
    "formats": 5,
    "sparql": 6,
    "check": 7,
    "build": 8,
    "remote": 9,
    "docs": 10,
    "serve": 11,
    "site": 12,
    "cli": 13,
    "__main__": 13,
}
#: At most a handful of modules stay at the top.
TOP_LEVEL = {"__init__", "__main__", "cli", "errors", "paths", "namespaces"}


def _part(dotted: str) -> str:
    """Return the stage part of a dotted module path inside the package ("" for the root)."""
    return dotted.split(".")[0] if dotted else ""


def _module_path(path: Path) -> list[str]:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imports(path: Path) -> list[tuple[int, str]]:
    """Return (line, dotted target inside the package) for every import of the package."""
    here = _module_path(path)
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            if not node.module:
                found += [(node.lineno, f"{target}.{a.name}".strip(".")) for a in node.names]
            else:
                found.append((node.lineno, target))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("nato_iraq_kg"):
            found.append((node.lineno, node.module.removeprefix("nato_iraq_kg").strip(".")))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_package_is_found() -> None:
    """The walk below sees every subpackage (a glob that finds nothing would pass silently)."""
    parts = {_part(".".join(_module_path(p))) for p in MODULES}
    assert parts == set(STAGES) - {"cli", "__main__"} | {"cli", "__main__"}, parts
    assert len(MODULES) > 50


def test_only_a_handful_of_modules_stay_at_the_top() -> None:
    """Everything but the CLI, errors, paths and namespaces lives in a stage's subpackage."""
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top == TOP_LEVEL


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    """A lower stage never imports a higher one (the build may use the checks, not the server)."""
    own = STAGES[_part(".".join(_module_path(path)))]
    if path == PACKAGE / "__init__.py":
        own = max(STAGES.values())  # the public API's facade imports its stages lazily
    upward = [
        f"line {line}: {target}"
        for line, target in _imports(path)
        if STAGES.get(_part(target), STAGES.get(target, 0)) > own
    ]
    assert not upward, upward
