"""The build's quality checks on the TriG it rendered, in a module of their own.

They live apart from :mod:`.pipeline` so that the screen child (:mod:`.screen_worker`), forked
before the pipeline is imported, runs them without importing the whole extraction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..paths import DATASET_FILE

if TYPE_CHECKING:
    from ..check.quality import QualityResult


def run_quality_checks_on(files: dict[str, str]) -> list[QualityResult]:
    """Run every ``queries/qc/*-violation.rq`` on the dataset as rendered, before it is written.

    SHACL cannot see across named graphs (a fact without evidence, one label for two entities);
    these checks can, so the build runs them too and refuses to write when one finds rows, as
    ``validate`` would afterwards. They take milliseconds, so they are never cached. They read
    only the TriG.
    """
    import pyoxigraph

    from ..check.quality import run_quality_checks

    store = pyoxigraph.Store()
    store.load(files[DATASET_FILE].encode("utf-8"), format=pyoxigraph.RdfFormat.TRIG)
    return run_quality_checks(store)
