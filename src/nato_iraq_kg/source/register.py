"""Register a new revision of a source page: copy its text as received, hash it, describe it.

A revision is only ever added, never edited: its text is copied byte for byte (evidence offsets
count its characters), its SHA-256 recorded, and its metadata written beside it in the same TOML
shape as the first revision's, so :mod:`.revision` loads it like any other. The facts it states are
carried over by ``nato-iraq-kg reanchor SLUG --write``, which writes its curated file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..errors import InputError
from .document import segment
from .revision import SourceRevision, load_revision, load_revisions

#: A topic page is a few pages of text; anything far bigger is not one (and the diff is O(ND)).
MAX_REVISION_BYTES = 2 * 1024 * 1024
_LAST_UPDATED = re.compile(r"Last updated:\s*(.+?)\s*$", re.MULTILINE)


def read_revision_text(path: Path) -> str:
    """Read another revision's text: bounded in size, UTF-8, and text (no NUL byte)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    if size > MAX_REVISION_BYTES:
        raise InputError(f"{path}: {size} bytes is over the limit of {MAX_REVISION_BYTES} bytes")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    if b"\x00" in raw:
        raise InputError(f"{path}: holds a NUL byte; not a text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 at byte {exc.start}") from exc


def latest(revisions: list[SourceRevision]) -> SourceRevision:
    """Return the revision last updated (ties broken by slug, so the choice is stable)."""
    return max(revisions, key=lambda r: (r.last_updated, r.slug))


def previous_revision(
    revision: SourceRevision, revisions: list[SourceRevision]
) -> SourceRevision | None:
    """Return the revision of the same page updated last before ``revision``, if any."""
    earlier = [
        r
        for r in revisions
        if r.page == revision.page
        and (r.last_updated, r.slug) < (revision.last_updated, revision.slug)
    ]
    return latest(earlier) if earlier else None


@dataclass(frozen=True)
class Registration:
    """What ``source add`` wrote."""

    revision: SourceRevision
    previous: SourceRevision


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _stated_last_updated(text: str) -> str | None:
    """Return the page's own "Last updated" words, if it has the topic-page shape."""
    try:
        segment(text)
    except InputError:
        return None
    match = _LAST_UPDATED.search(text)
    return match.group(1) if match else None


def _toml(pairs: dict[str, str]) -> str:
    return "".join(
        f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in pairs.items()
    )


def register_revision(
    file: Path,
    folder: Path,
    modified: datetime,
    *,
    url: str | None = None,
    retrieved: date | None = None,
) -> Registration:
    """Copy ``file`` into ``folder`` as a new revision of the page there; return what was made.

    The title, publisher and language are those of the page's latest revision; the web address
    too, unless ``url`` says otherwise. Refuses a second revision with the same last-updated day.
    """
    text = read_revision_text(file)
    revisions = load_revisions(folder)
    pages = {r.page for r in revisions}
    if len(pages) != 1:
        raise InputError(
            f"{folder}: holds {len(pages)} pages; cannot tell which one {file} revises"
        )
    base = latest(revisions)
    slug = f"{base.page}-{modified:%Y-%m-%d}"
    if any(r.slug == slug for r in revisions) or (folder / f"{slug}.toml").exists():
        raise InputError(f"{folder}: a revision {slug!r} is already registered")
    if any(r.last_updated == modified.isoformat() for r in revisions):
        raise InputError(f"a revision last updated {modified.isoformat()} is already registered")
    raw = text.encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    if any(r.sha256 == digest for r in revisions):
        raise InputError(f"{file}: the same text as a registered revision (SHA-256 {digest})")
    metadata = {
        "slug": slug,
        "page": base.page,
        "text": f"{slug}.txt",
        "curation": f"../curation/{slug}.yaml",
        "title": base.title,
        "publisher": base.publisher,
        "url": url or base.url,
        "last_updated": modified.isoformat(),
        "last_updated_text": _stated_last_updated(text) or f"{modified:%d %b. %Y %H:%M}",
        "language": base.language,
        "media_type": "text/plain; charset=utf-8",
        "sha256": digest,
    }
    if retrieved is not None:
        metadata["retrieved"] = retrieved.isoformat()
    header = (
        "# Metadata of one source revision, written by 'nato-iraq-kg source add'. The text beside\n"
        "# it is kept byte for byte as received; the build refuses it if its SHA-256 differs.\n"
    )
    _write_atomically(folder / f"{slug}.txt", raw)
    _write_atomically(folder / f"{slug}.toml", (header + _toml(metadata)).encode("utf-8"))
    return Registration(load_revision(folder / f"{slug}.toml"), base)
