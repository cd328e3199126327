"""The release described as an RO-Crate 1.1: ``data/ro-crate-metadata.json``.

RO-Crate is what research repositories (Zenodo, WorkflowHub, institutional archives) read to
understand a folder of files: who made it, under what licence, from what, and what each file is.
The crate's root is ``data/``; it lists every file the build writes and the source text it is
based on, with formats, sizes and the release's version and date, all computed from the same
bytes and the same ``data/release.toml`` as ``void.ttl``, so the two cannot disagree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

from .. import __version__
from ..namespaces import BASE
from ..paths import VOID_FILE
from ..source.release import Release
from ..source.revision import SourceRevision
from .tables import DATA_LICENSE
from .void import distribution_of

CRATE_FILE = "ro-crate-metadata.json"
CONTEXT = "https://w3id.org/ro/crate/1.1/context"
PROFILE = "https://w3id.org/ro/crate/1.1"
AUTHOR = "#nato-iraq-kg-contributors"
SOFTWARE = "#nato-iraq-kg"
CODE_LICENSE = "https://spdx.org/licenses/MIT"
VOID_DESCRIPTION = "dataset metadata: counts, partitions, linksets and distributions (VoID, DCAT)"

#: The source files' media types (the built files' come from :func:`.void.distribution_of`).
SOURCE_MEDIA_TYPES = {".txt": "text/plain", ".toml": "application/toml"}


def _file_entity(name: str, data: bytes, description: str, media: str) -> dict[str, Any]:
    return {
        "@id": name,
        "@type": "File",
        "name": PurePosixPath(name).name,
        "description": description,
        "encodingFormat": media,
        "contentSize": str(len(data)),
    }


def _one_or_many(values: list[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    """Return a lone value bare, as RO-Crate 1.1 recommends for single-valued properties."""
    return values[0] if len(values) == 1 else values


def crate_json(
    built: Mapping[str, bytes],
    release: Release,
    revisions: Iterable[SourceRevision],
) -> str:
    """Return the RO-Crate metadata of the release, as stable JSON.

    Args:
        built: every file the build writes under ``data/`` (but this one), by name, as bytes.
        release: the dataset version and release date.
        revisions: the source revisions the graph is built from; their text and metadata
            files become parts of the crate, and their web pages what it ``isBasedOn``.
    """
    revisions = list(revisions)
    parts: list[dict[str, Any]] = []
    for name in sorted(built):
        if name == VOID_FILE:
            media, what = "text/turtle", VOID_DESCRIPTION
        else:
            media, what, _ = distribution_of(name)
        parts.append(_file_entity(name, built[name], what, media))
    pages: list[dict[str, Any]] = []
    for revision in revisions:
        for path, what in (
            (revision.text_path, f"the exact text of '{revision.title}' as last updated "),
            (revision.metadata_path, f"metadata of the source revision of '{revision.title}', "),
        ):
            name = f"source/{path.name}"
            media = SOURCE_MEDIA_TYPES[path.suffix]
            text = what + revision.last_updated_text
            parts.append(_file_entity(name, path.read_bytes(), text, media))
        pages.append(
            {
                "@id": revision.url,
                "@type": "WebPage",
                "name": revision.title,
                "publisher": revision.publisher,
                "dateModified": revision.last_updated,
                "inLanguage": revision.language,
            }
        )
    root = {
        "@id": "./",
        "@type": "Dataset",
        "name": "NATO–Iraq relations knowledge graph",
        "description": (
            "Every fact of NATO's topic page 'Relations with Iraq', each with the exact quote and "
            "character offsets it comes from, as RDF in six syntaxes and as CSV tables."
        ),
        "identifier": f"{BASE}id/dataset",
        "url": BASE,
        "version": release.version,
        "datePublished": release.issued.isoformat(),
        "license": {"@id": DATA_LICENSE[1]},
        "author": {"@id": AUTHOR},
        "publisher": {"@id": AUTHOR},
        "isBasedOn": _one_or_many([{"@id": page["@id"]} for page in pages]),
        "keywords": ["knowledge graph", "linked data", "NATO", "Iraq", "provenance"],
        "conformsTo": {"@id": f"{BASE}ontology/{release.version}"},
        "hasPart": [{"@id": part["@id"]} for part in parts],
        "mentions": {"@id": SOFTWARE},
    }
    contextual = [
        {"@id": AUTHOR, "@type": "Organization", "name": "nato-iraq-kg contributors", "url": BASE},
        {"@id": DATA_LICENSE[1], "@type": "CreativeWork", "name": DATA_LICENSE[0]},
        {"@id": CODE_LICENSE, "@type": "CreativeWork", "name": "MIT"},
        {
            "@id": f"{BASE}ontology/{release.version}",
            "@type": "CreativeWork",
            "name": "NATO–Iraq relations ontology",
            "version": release.version,
        },
        {
            "@id": SOFTWARE,
            "@type": "SoftwareApplication",
            "name": "nato-iraq-kg",
            "description": "the toolkit that built these files ('nato-iraq-kg build')",
            "softwareVersion": __version__,
            "license": {"@id": CODE_LICENSE},
        },
    ]
    graph = [
        {
            "@id": CRATE_FILE,
            "@type": "CreativeWork",
            "conformsTo": {"@id": PROFILE},
            "about": {"@id": "./"},
        },
        root,
        *parts,
        *pages,
        *contextual,
    ]
    return json.dumps({"@context": CONTEXT, "@graph": graph}, indent=2, ensure_ascii=False) + "\n"
