"""Identity links to Wikidata and DBpedia, each checked against the reference list.

A wrong ``owl:sameAs`` poisons every graph that merges ours, so the build refuses any link whose
Wikidata item or DBpedia resource is not on the checked reference list
(``data/reference/wikidata-links.tsv``) for the same reference entity.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from ..errors import CheckFailure, InputError
from ..namespaces import WD
from .model import expand_curie


@dataclass(frozen=True)
class IdentityLink:
    """Our entity and the checked identifiers of the same thing elsewhere."""

    entity: URIRef
    wikidata: URIRef
    dbpedia: URIRef | None
    reference_entity: str


def _rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"{path}: missing columns {missing}")
            return list(reader)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc


def load_links(links_path: Path, reference_path: Path) -> list[IdentityLink]:
    """Read our links and check each against the reference list."""
    reference = {
        row["entity"]: row for row in _rows(reference_path, ("entity", "wikidata", "dbpedia"))
    }
    result = []
    columns = ("entity", "wikidata", "dbpedia", "reference_entity")
    for line, row in enumerate(_rows(links_path, columns), start=2):
        where = f"{links_path}:{line}"
        ref = reference.get(row["reference_entity"])
        if ref is None:
            raise CheckFailure(f"{where}: {row['reference_entity']!r} is not on the checked list")
        if row["wikidata"] != ref["wikidata"]:
            raise CheckFailure(
                f"{where}: Wikidata {row['wikidata']} is not the checked ID {ref['wikidata']} "
                f"for {row['reference_entity']!r}"
            )
        if row["dbpedia"] and row["dbpedia"] != ref["dbpedia"]:
            raise CheckFailure(
                f"{where}: DBpedia {row['dbpedia']} is not the checked resource "
                f"{ref['dbpedia'] or '(none)'} for {row['reference_entity']!r}"
            )
        result.append(
            IdentityLink(
                entity=expand_curie(row["entity"], where),
                wikidata=WD[row["wikidata"]],
                dbpedia=URIRef(row["dbpedia"]) if row["dbpedia"] else None,
                reference_entity=row["reference_entity"],
            )
        )
    return result
