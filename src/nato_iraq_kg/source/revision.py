"""Source revisions: the exact texts the graph is built from, and what is known about them.

Each revision of a source page is described by one TOML file in ``data/source/`` that names its
text file and its curated facts. Nothing here assumes a single document: every revision gets its
own IRI (``id/source/{slug}``) and every piece of evidence names the revision it quotes, so a later
revision of the page, or another partner page of the same shape, is added by dropping its text and
metadata beside this one.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from ..errors import InputError
from ..namespaces import ID

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

REQUIRED_KEYS = (
    "slug",
    "page",
    "text",
    "curation",
    "title",
    "publisher",
    "url",
    "last_updated",
    "last_updated_text",
    "language",
    "sha256",
)


@dataclass(frozen=True)
class SourceRevision:
    """One revision of a source page, with its exact text already checked against its hash."""

    slug: str
    page: str
    title: str
    publisher: str
    url: str
    last_updated: str
    last_updated_text: str
    language: str
    sha256: str
    metadata_path: Path
    text_path: Path
    curation_path: Path
    text: str = field(repr=False)

    @property
    def iri(self) -> URIRef:
        """The revision's own IRI, which every piece of evidence names."""
        return ID[f"source/{self.slug}"]

    @property
    def page_iri(self) -> URIRef:
        """The IRI of the page as a work that has revisions."""
        return ID[f"source/{self.page}"]


def read_exact_text(path: Path, expected_sha256: str) -> str:
    """Return the text of ``path`` after checking its bytes against ``expected_sha256``.

    Offsets in the evidence count characters of this exact text, so an altered file would make
    every quote point at the wrong words: refuse it rather than build a wrong graph.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the source text ({exc.strerror})") from exc
    digest = hashlib.sha256(raw).hexdigest()
    if digest != expected_sha256:
        raise InputError(
            f"{path}: SHA-256 is {digest}, but its metadata records {expected_sha256}; "
            "the source text was altered, so evidence offsets would break"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 at byte {exc.start}") from exc


def load_revision(metadata_path: Path) -> SourceRevision:
    """Load one revision from its TOML metadata file, checking the text's hash."""
    try:
        meta = tomllib.loads(metadata_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{metadata_path}: cannot read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{metadata_path}: malformed TOML: {exc}") from exc
    missing = [key for key in REQUIRED_KEYS if not isinstance(meta.get(key), str)]
    if missing:
        raise InputError(f"{metadata_path}: missing or non-text keys: {', '.join(missing)}")
    folder = metadata_path.parent
    text_path = folder / meta["text"]
    return SourceRevision(
        slug=meta["slug"],
        page=meta["page"],
        title=meta["title"],
        publisher=meta["publisher"],
        url=meta["url"],
        last_updated=meta["last_updated"],
        last_updated_text=meta["last_updated_text"],
        language=meta["language"],
        sha256=meta["sha256"],
        metadata_path=metadata_path,
        text_path=text_path,
        curation_path=(folder / meta["curation"]).resolve(),
        text=read_exact_text(text_path, meta["sha256"]),
    )


def load_revisions(folder: Path) -> list[SourceRevision]:
    """Load every revision described in ``folder`` (one ``*.toml`` each), in a stable order."""
    if not folder.is_dir():
        raise InputError(f"{folder}: source folder not found")
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise InputError(f"{folder}: no source metadata (*.toml) found")
    revisions = [load_revision(path) for path in files]
    seen: dict[str, Path] = {}
    for revision in revisions:
        if revision.slug in seen:
            raise InputError(
                f"{revision.metadata_path}: slug {revision.slug!r} already used by "
                f"{seen[revision.slug]}"
            )
        seen[revision.slug] = revision.metadata_path
    return revisions
