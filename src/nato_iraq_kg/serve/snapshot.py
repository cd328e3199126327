"""One build as the server serves it, and the watch that swaps in the next build whole.

Everything a request reads (the store behind the pages and ``/id/``, the query workers behind
``/sparql``, the downloads, the ontology's labels) belongs to one :class:`Snapshot`. A new build
in ``data/`` is loaded into a new snapshot beside the old one, its query workers started, and
only then does the app switch to it in one assignment: no request ever sees half of each build.
The downloads are held in memory for the same reason: a file read from disk after the switch
could belong to a build newer than the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import paths
from .html_common import subclass_pairs, vocabulary_labels
from .query_pool import DatasetSource, QueryPool

log = logging.getLogger("nato_iraq_kg.serve")

#: The files whose identity tells a new build apart: the build writes void.ttl last.
WATCHED = (paths.DATASET_FILE, paths.VOID_FILE)
#: (name, inode, modification time in ns, size) of each watched file; None for a missing one.
Fingerprint = tuple[tuple[str, int, int, int] | None, ...]


@dataclass(frozen=True)
class Download:
    """One advertised file of the dataset: its media type and its bytes as of the snapshot."""

    media_type: str
    content: bytes


@dataclass(frozen=True)
class Snapshot:
    """Everything the server answers from, for one build of the dataset."""

    store: Any
    pool: QueryPool
    vocabulary: Mapping[str, str]
    subclass_of: tuple[tuple[str, str], ...]
    downloads: Mapping[str, Download]
    fingerprint: Fingerprint | None = None
    #: Counts the builds served so far (1 for the first): for the logs and the tests.
    generation: int = 1


class DataChanging(RuntimeError):
    """The files changed while they were read: a build is writing them; try again later."""


def fingerprint(data_dir: Path) -> Fingerprint:
    """Return the identity of the watched files: a stat each, no reading, cheap to poll."""
    found = []
    for name in WATCHED:
        try:
            stat = os.stat(data_dir / name)
        except OSError:
            found.append(None)
        else:
            found.append((name, stat.st_ino, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def read_downloads(data_dir: Path, base_url: str) -> dict[str, Download]:
    """Read every file ``void.ttl`` advertises (and void.ttl itself) into memory."""
    from .linked_data import downloads_of

    void = data_dir / paths.VOID_FILE
    if not void.is_file():
        return {}
    media = downloads_of(void.read_bytes(), base_url)
    found = {}
    for name, media_type in media.items():
        with contextlib.suppress(OSError):
            found[name] = Download(media_type, (data_dir / name).read_bytes())
    return found


def snapshot_of_store(
    store: Any,
    data_dir: Path,
    base_url: str,
    pool_size: int,
    max_memory_bytes: int | None,
) -> Snapshot:
    """Serve a store built elsewhere (tests, embedding): its workers get a copy of its quads."""
    ontology = paths.ontology_file(paths.project_root())
    return Snapshot(
        store=store,
        pool=QueryPool(DatasetSource.of_store(store), pool_size, max_memory_bytes=max_memory_bytes),
        vocabulary=vocabulary_labels(ontology),
        subclass_of=subclass_pairs(ontology),
        downloads=read_downloads(data_dir, base_url),
    )


def load_snapshot(
    data_dir: Path,
    base_url: str,
    pool_size: int,
    max_memory_bytes: int | None,
    generation: int = 1,
) -> Snapshot:
    """Load the build in ``data_dir``: store, downloads and labels, read as one consistent set.

    The workers are given the very quads the store was loaded from, not the file's path, so a
    worker started later (to replace one killed by an overrunning query) cannot load a newer
    build than its snapshot's. Raises :class:`DataChanging` when the files changed while they were
    read (a build was writing them): the caller tries again once they are still.
    """
    import pyoxigraph

    before = fingerprint(data_dir)
    dataset = (data_dir / paths.DATASET_FILE).read_bytes()
    downloads = read_downloads(data_dir, base_url)
    if fingerprint(data_dir) != before:
        raise DataChanging(f"{data_dir} changed while it was read")
    store = pyoxigraph.Store()
    store.bulk_load(dataset, format=pyoxigraph.RdfFormat.TRIG)
    ontology = paths.ontology_file(paths.project_root())
    source = DatasetSource(nquads=store.dump(format=pyoxigraph.RdfFormat.N_QUADS))
    return Snapshot(
        store=store,
        pool=QueryPool(source, pool_size, max_memory_bytes=max_memory_bytes),
        vocabulary=vocabulary_labels(ontology),
        subclass_of=subclass_pairs(ontology),
        downloads=downloads,
        fingerprint=before,
        generation=generation,
    )


class Watcher:
    """Poll ``data/`` and swap in each new build once it is loaded and its workers are ready.

    A change is acted on only when the files have not changed between two polls, so a build
    still writing is not loaded half-way; a build that fails to load is logged and skipped
    (the old one stays served) until the files change again.
    """

    def __init__(
        self,
        data_dir: Path,
        current: Callable[[], Snapshot],
        load: Callable[[int], Snapshot],
        install: Callable[[Snapshot], None],
        interval_s: float,
    ) -> None:
        self.data_dir = data_dir
        self.current = current
        self.load = load
        self.install = install
        self.interval_s = interval_s
        self.failed: Fingerprint | None = None

    async def run(self) -> None:
        """Watch until cancelled."""
        seen = fingerprint(self.data_dir)
        while True:
            await asyncio.sleep(self.interval_s)
            now = fingerprint(self.data_dir)
            stable, seen = now == seen, now
            if not stable or now in (self.current().fingerprint, self.failed):
                continue
            await self.reload()

    async def reload(self) -> bool:
        """Load the build now in ``data/`` and switch to it; return whether it was switched."""
        old = self.current()
        try:
            new = await asyncio.to_thread(self.load, old.generation + 1)
        except DataChanging:
            return False  # the next polls see the files still, then load them
        except Exception as exc:  # a broken build must not take the served one down
            self.failed = fingerprint(self.data_dir)
            log.warning(
                "kept the served build: cannot load the new one in %s: %s", self.data_dir, exc
            )
            return False
        await asyncio.to_thread(new.pool.fill)
        self.install(new)  # one assignment on the event loop: requests see old or new
        log.info("serving the new build in %s (generation %d)", self.data_dir, new.generation)
        await asyncio.to_thread(old.pool.close)
        return True
