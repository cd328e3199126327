"""What the tests of the quality checks' cheaper routes share: the data they compare them on.

Each route (``check/quality_routes``) must give its query file's answer; the tests load every
quality fixture, the built dataset and the bench's corpora as ``validate`` loads them, and break
the corpora on purpose by dropping a share of one predicate's statements.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

from nato_iraq_kg.check.inputs import load_inputs
from nato_iraq_kg.check.quality import add_ontology

ROOT = Path(__file__).resolve().parents[1]
#: Every quality check's fixture (each route is compared with its query on all of them).
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "qc").glob("*.trig"))


def loaded(path: Path) -> Any:
    """Return a store holding a file and the ontology, as ``validate`` has it."""
    store = load_inputs([path], None).store
    add_ontology(store)
    return store


def corpus(tmp_path: Path, size: int, drop: float = 0.0, predicate: str = "") -> Path:
    """Write the bench's corpus (seed 8), leaving out a share ``drop`` of the statements whose
    predicate IRI ends with ``predicate`` (``#type>``, ``#hasBody>``)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import scale

    rng = random.Random(size)
    lines = [
        line
        for line in scale.generate(size, 8)
        if not (drop and line.split(" ", 2)[1].endswith(predicate) and rng.random() < drop)
    ]
    path = tmp_path / f"corpus-{size}.nq"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
